//! `[organisation] meetings`: a file of recurring meetings with their members, each meeting the
//! links among its members in one meeting group. Checked against the independent reference of
//! the same links written into the links file with the `group` column, and bad files.

use crate::common::{TempScenario, permeate, run_library};

const PEOPLE: &str = "id,unit,role\na,t,dev\nb,t,dev\nc,t,dev\nd,t,dev\ne,t,dev\nf,t,dev\n";

/// The scenario over `links` (and `meetings` when given): `sync` is scheduled every 24 h
/// (phase per meeting group and replication) with a fixed 0.5 h, `chat` an exponential mean
/// 30 h; the item appears at `a`, the target is everybody.
fn scenario(links: &str, meetings: Option<&str>) -> TempScenario {
    let toml = format!(
        "name = \"meetings\"\nseed = 9\nreplications = 3000\nhorizon_hours = 1000\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n{}\
         [channels.sync]\ntiming = \"scheduled\"\nevery = 24.0\ndelay = {{ dist = \"fixed\", value = 0.5 }}\n\
         [channels.chat]\ndelay = {{ dist = \"exponential\", mean = 30.0 }}\n\
         [roles.dev]\n[source]\nid = \"a\"\n[target]\nall = true\nthreshold = 1.0\n",
        if meetings.is_some() { "meetings = \"meetings.csv\"\n" } else { "" }
    );
    let mut files = vec![("scenario.toml", toml.as_str()), ("people.csv", PEOPLE), ("links.csv", links)];
    if let Some(m) = meetings {
        files.push(("meetings.csv", m));
    }
    TempScenario::new(&files)
}

/// Independent reference: two meetings (`standup`: a, b, c; `review`: c, d, e) and a chat link
/// e–f. From the meetings file, every replication's T must equal, exactly, that of the links
/// file with the six meeting links written out with their `group`: the same links, keys and
/// meeting phases. Broken version seen to fail: the meetings' links without their group (all six
/// then one meeting of the channel, one phase: replication 0 differs).
#[test]
fn a_meetings_file_is_the_links_file_with_groups() {
    let chat = "source,target,channel,group\ne,f,chat,\n";
    let written = format!(
        "{chat}a,b,sync,standup\na,c,sync,standup\nb,c,sync,standup\nc,d,sync,review\nc,e,sync,review\nd,e,sync,review\n"
    );
    let reference = scenario(&written, None);
    let meetings = scenario(
        chat,
        Some("# one row per meeting\nmeeting,channel,members\nstandup,sync,a;b;c\nreview,sync, c ; d;e;c\n"),
    );
    let (r, m) = (reference.load(), meetings.load());
    assert_eq!(m.variants()[0].org.links.len(), 7);
    let (rt, mt) = (run_library(&r, 0).t_threshold, run_library(&m, 0).t_threshold);
    let differs = rt.iter().zip(&mt).position(|(a, b)| a != b);
    assert_eq!(differs, None, "replication {differs:?} differs");
    assert!(rt.iter().all(Option::is_some));
}

/// Bad meetings files: exit status 2 naming the file, the line and the column.
#[test]
fn bad_meetings_name_the_file_line_and_column() {
    let chat = "source,target,channel\ne,f,chat\n";
    for (file, wants) in [
        ("meeting,channel,members\nstandup,sync,a;zed\n", "meetings.csv:2: `members`: unknown person \"zed\""),
        ("meeting,channel,members\nstandup,sync,a\n", "meetings.csv:2: `members`"),
        ("meeting,channel,members\nstandup,sync,a;b\nstandup,sync,c;d\n", "meetings.csv:3: `meeting`"),
        ("meeting,channel,members\nstandup,,a;b\n", "meetings.csv:2: `channel`"),
        ("meeting,channel,members,room\nstandup,sync,a;b,r1\n", "room"),
        ("meeting,members\nstandup,a;b\n", "channel"),
        ("meeting,channel,members\n", "meetings.csv"),
        ("meeting,channel,members\nstandup,nochannel,a;b\n", "nochannel"),
    ] {
        let ts = scenario(chat, Some(file));
        let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(wants), "{file}: wants {wants} in: {err}");
    }
}
