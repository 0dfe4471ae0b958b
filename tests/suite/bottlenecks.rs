//! Bottleneck attribution: the critical path (source → the target member completing the
//! threshold) and the first-heard channels, checked where they are known exactly.

use crate::common::TempScenario;

fn run(files: &[(&str, &str)]) -> permeate::analysis::results::Results {
    let s = TempScenario::new(files).load();
    permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).expect("runs")
}

#[test]
fn chain_critical_path_is_the_whole_chain() {
    let people = "id,unit,role\na,external,community\nb,dev,developer\nc,dev,developer\nd,dev,developer\n";
    let links = "source,target,channel,direction\na,b,wire,forward\nb,c,wire,forward\nc,d,post,forward\n";
    let toml = "name = \"chain\"\nreplications = 7\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.wire]\ndelay = { dist = \"fixed\", value = 1 }\n[channels.post]\ndelay = { dist = \"uniform\", min = 1, max = 2 }\n\
                [target]\nrole = \"developer\"\nthreshold = 1.0\n";
    let r = run(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let b = &r.variants[0].bottlenecks;
    assert_eq!(b.reached_replications, 7);
    let names: Vec<(&str, f64)> = b.people.iter().map(|p| (p.name.as_str(), p.share)).collect();
    assert_eq!(names, vec![("b", 1.0), ("c", 1.0)], "intermediaries, not the source or the end");
    let units: Vec<(&str, f64)> = b.units.iter().map(|u| (u.name.as_str(), u.share)).collect();
    assert_eq!(units, vec![("dev", 1.0)], "a unit counts once per path, however many of its people are on it");
    let links: Vec<(&str, &str, &str)> =
        b.links.iter().map(|l| (l.source.as_str(), l.target.as_str(), l.channel.as_str())).collect();
    assert_eq!(links, vec![("a", "b", "wire"), ("b", "c", "wire"), ("c", "d", "post")]);
    assert!(b.links.iter().all(|l| l.share == 1.0));
    let channels: Vec<(&str, f64)> = b.channels.iter().map(|c| (c.name.as_str(), c.share)).collect();
    assert_eq!(channels, vec![("post", 1.0), ("wire", 1.0)]);
    // b and c first heard over wire, d over post: 2/3 and 1/3 of processed target members.
    let heard: Vec<(&str, f64)> = b.first_heard_via.iter().map(|c| (c.name.as_str(), c.share)).collect();
    assert_eq!(heard, vec![("wire", 2.0 / 3.0), ("post", 1.0 / 3.0)]);
}

#[test]
fn first_heard_counts_every_processed_target_member_and_the_source() {
    // A star whose centre is itself a developer: 1 of 5 target members is the source.
    let people =
        "id,unit,role\nhub,dev,developer\nl1,dev,developer\nl2,dev,developer\nl3,dev,developer\nl4,dev,developer\n";
    let links = "source,target,channel\nhub,l1,fast\nhub,l2,fast\nhub,l3,slow\nhub,l4,slow\n";
    let toml = "name = \"star\"\nreplications = 20\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.fast]\ndelay = { dist = \"exponential\", mean = 1 }\n[channels.slow]\ndelay = { dist = \"exponential\", mean = 5 }\n\
                [source]\nid = \"hub\"\n[target]\nrole = \"developer\"\nthreshold = 1.0\n";
    let r = run(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let b = &r.variants[0].bottlenecks;
    let share = |name: &str| b.first_heard_via.iter().find(|c| c.name == name).map(|c| c.share);
    assert_eq!((share("fast"), share("slow"), share("(source)")), (Some(0.4), Some(0.4), Some(0.2)));
    assert!(b.people.is_empty(), "a one-step path has no intermediaries");
    // The completing member (the last of five) is reached over exactly one link per replication.
    let total: f64 = b.links.iter().map(|l| l.share).sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
}

#[test]
fn no_critical_path_when_nothing_reaches() {
    let people = "id,unit,role\na,external,community\nb,dev,developer\n";
    let links = "source,target,channel\na,b,wire\n";
    let toml = "name = \"none\"\nreplications = 5\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.wire]\ndelay = { dist = \"fixed\", value = 1 }\ntransmit = 0\n";
    let r = run(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let b = &r.variants[0].bottlenecks;
    assert_eq!(b.reached_replications, 0);
    assert!(b.people.is_empty() && b.links.is_empty() && b.channels.is_empty() && b.first_heard_via.is_empty());
}

/// Two routes from the source to the target: through `x` of unit "a" and through `y` of unit
/// "b", with fixed delays; the route through `fast` always wins.
fn two_routes(fast: &str) -> permeate::analysis::results::Results {
    let people = "id,unit,role\nsrc,external,community\nx,a,architect\ny,b,support_agent\nt,dev,developer\n";
    let links = "source,target,channel,direction\nsrc,x,via_x,forward\nx,t,via_x,forward\nsrc,y,via_y,forward\ny,t,via_y,forward\n";
    let (dx, dy) = if fast == "x" { (1, 3) } else { (3, 1) };
    let toml = format!(
        "name = \"routes\"\nreplications = 10\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.via_x]\ndelay = {{ dist = \"fixed\", value = {dx} }}\n[channels.via_y]\ndelay = {{ dist = \"fixed\", value = {dy} }}\n\
         [source]\nid = \"src\"\n[target]\nrole = \"developer\"\n"
    );
    run(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)])
}

#[test]
fn critical_paths_by_unit_and_role_follow_the_winning_route() {
    let shares =
        |v: &[permeate::analysis::results::Share]| v.iter().map(|s| (s.name.clone(), s.share)).collect::<Vec<_>>();
    let r = two_routes("x");
    let b = &r.variants[0].bottlenecks;
    assert_eq!(shares(&b.units), vec![("a".to_string(), 1.0)], "unit b's share is 0 (not listed)");
    assert_eq!(shares(&b.roles), vec![("architect".to_string(), 1.0)]);
    let r = two_routes("y");
    let b = &r.variants[0].bottlenecks;
    assert_eq!(shares(&b.units), vec![("b".to_string(), 1.0)]);
    assert_eq!(shares(&b.roles), vec![("support_agent".to_string(), 1.0)]);
    let p = &b.people[0];
    assert_eq!((p.name.as_str(), p.role.as_str(), p.unit.as_str()), ("y", "support_agent", "b"));
}

/// The unit → unit flow on a known organisation: a chain a → b (unit A) → c → d (unit B) with
/// fixed delays, so every replication's critical path is the whole chain and passes A → A, then
/// over the one bridge b → c A → B, then B → B. The flow B → A cannot occur and must be absent.
/// Unit names with `<`, `,` and `"` must come back whole from `unit-flow.csv` and escaped in
/// `report.html`. Seen to fail: the receiver's unit taken as the sender's (`link_units` returning
/// the receiver's unit twice) gives no A → B cell.
#[test]
fn unit_flow_of_a_two_unit_chain_is_known() {
    let (ua, ub) = ("A <one>, \"x\"", "B, two");
    let q = |u: &str| format!("\"{}\"", u.replace('"', "\"\""));
    let people = format!(
        "id,unit,role\na,{},community\nb,{},staff\nc,{},developer\nd,{},developer\n",
        q(ua),
        q(ua),
        q(ub),
        q(ub)
    );
    let links = "source,target,channel\na,b,wire\nb,c,wire\nc,d,wire\n";
    let toml = "name = \"two units\"\nreplications = 9\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.wire]\ndelay = { dist = \"fixed\", value = 1 }\n\
                [target]\nrole = \"developer\"\nthreshold = 1.0\n";
    let files = [("scenario.toml", toml), ("people.csv", people.as_str()), ("links.csv", links)];
    let r = run(&files);
    let facts_free = permeate::analysis::flow::unit_flow(&r, 0);
    assert_eq!(facts_free.points.len(), 1, "the baseline is its own recommendation");
    let cells: Vec<(&str, &str, u64, f64)> = facts_free.points[0]
        .cells
        .iter()
        .map(|c| (c.from_unit.as_str(), c.to_unit.as_str(), c.critical_paths, c.share))
        .collect();
    assert_eq!(cells, vec![(ua, ua, 9, 1.0), (ua, ub, 9, 1.0), (ub, ub, 9, 1.0)]);
    assert!(facts_free.points[0].cell(ub, ua).is_none(), "B → A cannot occur");

    // Written: the CSV parses back to the same names, the page escapes them.
    let s = TempScenario::new(&files);
    let (_dir, out) = crate::common::run_into_temp(&s.scenario(), &[]);
    let text = crate::common::read_text(&out.join("unit-flow.csv"));
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rows.headers().unwrap(), vec!["variant", "from_unit", "to_unit", "critical_paths", "share"]);
    let rows: Vec<Vec<String>> = rows.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], vec!["baseline", ua, ub, "9", "1"]);
    let html = crate::common::read_text(&out.join("report.html"));
    assert!(html.contains("<th>A &lt;one&gt;, &quot;x&quot;</th>"), "unit name escaped in the flow matrix");
    assert!(!html.contains("<one>"), "raw unit name in report.html");

    // When each unit processed it: A's members at 0 h (the source) and 1 h, B's at 2 h and 3 h,
    // in all 9 replications. The median is the lower one, given as its bin's upper edge: A's
    // in the first bin (below 1/16 h), B's 2 h in [2, 2.5) h. Seen to fail with the median
    // bin the first past half instead of the first that reaches it (A: 1.25 h, B: 3.5 h).
    let times: Vec<(&str, u64, f64, Option<f64>)> = r.variants[0]
        .bottlenecks
        .unit_times
        .iter()
        .map(|t| (t.unit.as_str(), t.member_replications, t.processed_share, t.median_hours))
        .collect();
    assert_eq!(times, vec![(ua, 18, 1.0, Some(0.0625)), (ub, 18, 1.0, Some(2.5))]);
    // The picture: in the flow section, both units named (escaped), B at 2.5 h = 0.3 working days.
    let svg = crate::common::read_text(&out.join("charts/organisation.svg"));
    assert!(svg.contains("A &lt;one&gt;, &quot;x&quot;") && svg.contains("B, two"), "unit names in the picture");
    assert!(svg.contains("≤ 0.3") && svg.contains("&lt; 0.1"), "the units' median times in the picture");
    let flow = &html[html.find("<section id=\"flow\">").expect("flow section")..];
    let flow = &flow[..flow.find("</section>").unwrap()];
    assert!(flow.contains("id=\"chart-organisation\""), "the picture leads the flow section");

    // Per person (a small organisation): a at 0 h, b at 1 h in [1, 1.25), c at 2 h in [2, 2.5),
    // d at 3 h in [3, 3.5), every replication; every link of the chain on every critical path.
    // The picture draws one dot per person and one line per link. Seen to fail: the person's
    // time counted in the unit's slot (c and d at A's bins), links below the share drawn.
    let persons: Vec<(&str, &str, f64, Option<f64>)> = r.variants[0]
        .bottlenecks
        .person_times
        .iter()
        .map(|p| (p.id.as_str(), p.unit.as_str(), p.processed_share, p.median_hours))
        .collect();
    assert_eq!(
        persons,
        vec![
            ("a", ua, 1.0, Some(0.0625)),
            ("b", ua, 1.0, Some(1.25)),
            ("c", ub, 1.0, Some(2.5)),
            ("d", ub, 1.0, Some(3.5))
        ]
    );
    let links = &r.variants[0].bottlenecks.path_links;
    let pairs: Vec<(&str, &str, f64)> = links.iter().map(|(f, t, s)| (f.as_str(), t.as_str(), *s)).collect();
    assert_eq!(pairs, vec![("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 1.0)]);
    assert_eq!(svg.matches("<circle").count(), 4, "one dot per person:\n{svg}");
    assert_eq!(svg.matches("<polyline").count() + svg.matches("<line").count(), 3, "one line per link:\n{svg}");
    assert!(!r.variants[0].bottlenecks.person_times.is_empty() && !r.variants[0].bottlenecks.path_links.is_empty());
    let summary = crate::common::read_text(&out.join("summary.json"));
    assert!(!summary.contains("person_times") && !summary.contains("path_links"), "not in summary.json");
}
