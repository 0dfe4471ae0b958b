//! Semantics found wrong in review and fixed: duplicated ids, the f32 horizon, tie attribution,
//! and a sweep over values plotters cannot place.

use crate::common::{TempScenario, run_library, run_ok};

fn small(source: &str, target: &str, links: &str, channel: &str, horizon: &str) -> TempScenario {
    let people = "id,unit,role\nc,external,community\na,dev,developer\nb,dev,developer\nt,dev,developer\n";
    let toml = format!(
        "name = \"r\"\nseed = 4\nreplications = 50\nhorizon_hours = {horizon}\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.wire]\ndelay = {channel}\n[source]\n{source}\n[target]\n{target}\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)])
}

const CHAIN: &str = "source,target,channel,direction\nc,a,wire,forward\na,b,wire,forward\nb,t,wire,forward\n";
const EXP: &str = "{ dist = \"exponential\", mean = 2.0 }";

/// Listing a person twice in `[source]` or `[target]` is the same as listing them once.
#[test]
fn duplicated_ids_count_once() {
    let once = run_library(&small("id = [\"a\"]", "id = [\"a\", \"t\"]\nthreshold = 1.0", CHAIN, EXP, "100").load(), 0);
    let twice = run_library(
        &small("id = [\"a\", \"a\"]", "id = [\"a\", \"t\", \"t\"]\nthreshold = 1.0", CHAIN, EXP, "100").load(),
        0,
    );
    assert_eq!(once.t_threshold, twice.t_threshold);
    assert!(once.t_threshold.iter().all(|t| t.is_some_and(|t| t > 0.0)), "t must actually be reached, after a delay");
}

/// A delivery at exactly the horizon (in the scenario's decimals) counts, one just after it does
/// not, although neither 0.1 nor 0.1001 is exact in binary.
#[test]
fn processing_at_the_horizon_counts_and_after_it_not() {
    let after = "{ dist = \"fixed\", value = 0.1001 }";
    let s = small("id = \"c\"", "id = \"a\"\nthreshold = 1.0", CHAIN, after, "0.1").load();
    assert!(run_library(&s, 0).t_threshold.iter().all(Option::is_none));
    let at = "{ dist = \"fixed\", value = 0.1 }";
    let s = small("id = \"c\"", "id = \"a\"\nthreshold = 1.0", CHAIN, at, "0.1").load();
    assert!(run_library(&s, 0).t_threshold.iter().all(|t| t.is_some_and(|t| (t - 0.1).abs() < 1e-7)));
}

/// With exactly tied delivery times, the critical path credits the same link whatever the order
/// of the rows in the CSV.
#[test]
fn tie_attribution_does_not_depend_on_row_order() {
    let ab =
        "source,target,channel,direction\nc,a,wire,forward\nc,b,wire,forward\na,t,wire,forward\nb,t,wire,forward\n";
    let ba =
        "source,target,channel,direction\nc,b,wire,forward\nc,a,wire,forward\nb,t,wire,forward\na,t,wire,forward\n";
    let fixed = "{ dist = \"fixed\", value = 1.0 }";
    let people_ab = "id,unit,role\nc,external,community\na,dev,developer\nb,dev,developer\nt,dev,developer\n";
    let people_ba = "id,unit,role\nc,external,community\nb,dev,developer\na,dev,developer\nt,dev,developer\n";
    let run = |people: &str, links: &str| {
        let toml = format!(
            "name = \"tie\"\nreplications = 5\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
             [channels.wire]\ndelay = {fixed}\n[source]\nid = \"c\"\n[target]\nid = \"t\"\nthreshold = 1.0\n"
        );
        let s = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)]).load();
        permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {})
            .unwrap()
            .variants
            .remove(0)
            .bottlenecks
    };
    let x = run(people_ab, ab);
    let y = run(people_ba, ba);
    assert_eq!(x.people, y.people);
    assert_eq!(x.links, y.links);
    assert_eq!(x.people.len(), 1, "one of a and b is credited, in every replication");
}

/// A sweep whose values plotters could not place on a numeric axis still finishes (by index).
#[test]
fn sweep_over_huge_values_finishes() {
    let s = small("id = \"c\"", "role = \"developer\"", CHAIN, "{ dist = \"uniform\", min = 0.0, max = 8.0 }", "1e38");
    let text =
        std::fs::read_to_string(s.scenario()).unwrap() + "[sweep]\n\"channels.wire.delay.max\" = [8.0, 1.7e308]\n";
    std::fs::write(s.scenario(), text).unwrap();
    run_ok(&s.scenario(), &s.path("out"), &["-n", "3"]);
    assert!(s.path("out/charts/sweep.svg").is_file());
}
