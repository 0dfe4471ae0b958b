//! Reading the HR export: one row per employee, with the columns the map names. Checks ids,
//! manager ids and manager cycles, and gives every person a role.

use std::collections::HashMap;
use std::path::Path;

use super::map::{Column, Map};
use crate::error::{InputError, InputErrorKind, closest};

/// One employee as read from the HR export.
#[derive(Debug, Clone)]
pub(crate) struct Employee {
    /// Employee id (trimmed, non-empty).
    pub id: String,
    /// Index of the manager in the list of employees, if any.
    pub manager: Option<usize>,
    /// The manager id as written (empty if none).
    pub manager_id: String,
    /// Unit (department).
    pub unit: String,
    /// Team (empty if none).
    pub team: String,
    /// Site (empty if none).
    pub site: String,
    /// Display name (empty if none).
    pub name: String,
    /// Job title (empty if none).
    pub title: String,
    /// Role from the map's rules.
    pub role: String,
    /// 1-based line in the HR file.
    pub line: usize,
}

pub(crate) use crate::org::events::{at, header_line, headers, line_index, reader};

/// The position of `col` in `headers`: an explicitly mapped column must exist, a default one
/// may be absent (`None`), a `required` one must exist either way.
pub(crate) fn find_column(
    path: &Path,
    map_path: &Path,
    headers: &csv::StringRecord,
    col: &Column,
    required: bool,
    header_line: usize,
) -> Result<Option<usize>, InputError> {
    if let Some(p) = headers.iter().position(|h| h == col.header) {
        // A column the map uses must be there once: the second one was ignored silently
        // (issue 20, defect 14).
        if headers.iter().skip(p + 1).any(|h| h == col.header) {
            return Err(InputError::new(path, crate::error::InputErrorKind::DuplicateColumn(col.header.clone()))
                .at_line(header_line)
                .at_key(col.header.clone()));
        }
        return Ok(Some(p));
    }
    if !col.explicit && !required {
        return Ok(None);
    }
    let have: Vec<&str> = headers.iter().collect();
    let hint = match closest(&col.header, have.iter().copied()) {
        Some(s) => format!("; did you mean \"{s}\"?"),
        None => String::new(),
    };
    let origin = if col.explicit {
        format!("the map {} names `{}` = \"{}\"", map_path.display(), col.key, col.header)
    } else {
        format!(
            "the column \"{}\" is needed (the default of `{}`; set `{}` in the map {} to the column's real name)",
            col.header,
            col.key,
            col.key,
            map_path.display()
        )
    };
    Err(at(
        path,
        header_line,
        &col.header,
        format!("no column \"{}\" in the header ({}): {origin}{hint}", col.header, have.join(","),),
    ))
}

/// Reads the HR export at `path` with `map` (from `map_path`, named in errors).
pub(crate) fn read(path: &Path, map: &Map, map_path: &Path) -> Result<Vec<Employee>, InputError> {
    let text = crate::org::csv_input_read_text(path)?;
    let mut rdr = reader(&text, map.hr_dialect);
    let lines = line_index(&text);
    let csv_error = |e: csv::Error| lines.error(path, e);
    let headers = headers(&mut rdr, map.hr_dialect).map_err(csv_error)?;
    let hl = header_line(&text);
    let col = |c: &Column, required: bool| find_column(path, map_path, &headers, c, required, hl);
    let id_col = col(&map.id, true)?.expect("required");
    let unit_col = col(&map.unit, true)?.expect("required");
    let manager_col = col(&map.manager, false)?;
    let team_col = col(&map.team, false)?;
    let site_col = col(&map.site, false)?;
    let name_col = col(&map.name, false)?;
    let title_col = col(&map.title, false)?;

    let mut people: Vec<Employee> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| lines.of(p));
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").to_string();
        // The loader's name rules for every field that reaches people.csv or a message, before
        // any message quotes one (a line break in a name, BEL in an id, ESC in a unit; issue 20,
        // defect 13): the export's line and column are named.
        for (c, column, what) in [
            (Some(id_col), &map.id, "the employee id"),
            (manager_col, &map.manager, "the manager id"),
            (Some(unit_col), &map.unit, "the unit"),
            (team_col, &map.team, "the team"),
            (site_col, &map.site, "the site"),
            (name_col, &map.name, "the name"),
            (title_col, &map.title, "the title"),
        ] {
            let value = c.and_then(|i| record.get(i)).unwrap_or("");
            crate::error::check_name(value, what)
                .map_err(|k| InputError::new(path, k).at_line(line).at_key(column.header.clone()))?;
        }
        let id = get(Some(id_col));
        if id.is_empty() {
            return Err(at(
                path,
                line,
                &map.id.header,
                "a row without an employee id; every row needs one, e.g. \"E1042\"".into(),
            ));
        }
        if id == map.community_id {
            return Err(at(
                path,
                line,
                &map.id.header,
                format!(
                    "the id \"{id}\" is the id import gives the community node; set `community.id` in the map {} to another id, e.g. \"customer-community\"",
                    map_path.display()
                ),
            ));
        }
        if let Some(&first) = index.get(&id) {
            return Err(at(
                path,
                line,
                &map.id.header,
                format!("duplicate employee id \"{id}\": also on line {}; ids must be unique", people[first].line),
            ));
        }
        let unit = get(Some(unit_col));
        if unit.is_empty() {
            return Err(at(
                path,
                line,
                &map.unit.header,
                format!("employee \"{id}\" has no unit; every row needs one, e.g. \"Engineering\""),
            ));
        }
        let title = get(title_col);
        let (role, _rule) = map.role_for(&title, &unit);
        let role = role.to_string();
        index.insert(id.clone(), people.len());
        people.push(Employee {
            id,
            manager: None,
            manager_id: get(manager_col),
            unit,
            team: get(team_col),
            site: get(site_col),
            name: get(name_col),
            title,
            role,
            line,
        });
    }
    if people.is_empty() {
        return Err(
            InputError::new(path, InputErrorKind::NoRows { what: "employees", detail: String::new() }).at_line(hl)
        );
    }

    let mgr_header = &map.manager.header;
    for i in 0..people.len() {
        if people[i].manager_id.is_empty() {
            continue;
        }
        let m = &people[i].manager_id;
        match index.get(m) {
            Some(&j) => people[i].manager = Some(j),
            None => {
                let hint = if people.len() <= 100_000 {
                    match closest(m, people.iter().map(|p| p.id.as_str())) {
                        Some(s) => format!("; did you mean \"{s}\"?"),
                        None => String::new(),
                    }
                } else {
                    String::new()
                };
                return Err(at(
                    path,
                    people[i].line,
                    mgr_header,
                    format!(
                        "unknown manager id \"{m}\" of employee \"{}\": no row has this id{hint} (leave the field empty for people without a manager)",
                        people[i].id
                    ),
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(&people) {
        let first = cycle[0];
        let mut rows: Vec<String> = cycle
            .iter()
            .take(20)
            .map(|&i| format!("line {} (\"{}\", manager \"{}\")", people[i].line, people[i].id, people[i].manager_id))
            .collect();
        if cycle.len() > 20 {
            rows.push(format!("… {} rows in all", cycle.len()));
        }
        let msg = if cycle.len() == 1 {
            format!(
                "employee \"{}\" is their own manager; give their real manager or leave the field empty",
                people[first].id
            )
        } else {
            format!(
                "manager cycle: {}; then back to line {}. Each chain of managers must end at someone without a manager",
                rows.join(" → "),
                people[first].line
            )
        };
        return Err(at(path, people[first].line, mgr_header, msg));
    }
    Ok(people)
}

/// A manager cycle, if any: the indices of its people in manager order, starting at the one with
/// the smallest line. Iterative, linear in the number of people.
fn find_cycle(people: &[Employee]) -> Option<Vec<usize>> {
    // 0: not visited yet; otherwise 1 + the index of the walk that visited it.
    let mut mark = vec![0usize; people.len()];
    for start in 0..people.len() {
        if mark[start] != 0 {
            continue;
        }
        let walk = start + 1;
        let mut v = start;
        loop {
            mark[v] = walk;
            let Some(m) = people[v].manager else { break };
            if mark[m] == walk {
                let mut cycle = vec![m];
                let mut u = people[m].manager.expect("in a cycle");
                while u != m {
                    cycle.push(u);
                    u = people[u].manager.expect("in a cycle");
                }
                let lowest = (0..cycle.len()).min_by_key(|&k| people[cycle[k]].line).unwrap_or(0);
                cycle.rotate_left(lowest);
                return Some(cycle);
            }
            if mark[m] != 0 {
                break;
            }
            v = m;
        }
    }
    None
}
