//! Bottleneck attribution: the critical path (source → the target member completing the
//! threshold) and the first-heard channels, checked where they are known exactly.

use crate::common::TempScenario;

fn run(files: &[(&str, &str)]) -> permeate::results::Results {
    let s = TempScenario::new(files).load();
    permeate::study::results(&s, &s.facts(), &|| {}).expect("runs")
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
