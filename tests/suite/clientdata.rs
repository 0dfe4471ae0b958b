//! The client's own data in the model: link strength (`weight` in links.csv), names and sites of
//! people in the answer, several community managers and one-way reach.

use crate::bad_input::{LINKS, PEOPLE, assert_at, assert_mentions, bad, with_csv};
use crate::common::{TempScenario, bundled, run_library, run_ok};

/// Two people, the community `c` and developer `d`, one forward link over `wire` with `transmit`
/// and the links file's extra columns `extra_header`/`extra_value`.
fn two_people(transmit: f64, weight: Option<&str>, replications: u64) -> TempScenario {
    let people = "id,unit,role\nc,external,community\nd,development,developer\n";
    let links = match weight {
        None => "source,target,channel,direction\nc,d,wire,forward\n".to_string(),
        Some(w) => format!("source,target,channel,direction,weight\nc,d,wire,forward,{w}\n"),
    };
    let toml = format!(
        "name = \"weight\"\nseed = 11\nreplications = {replications}\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.wire]\ndelay = {{ dist = \"fixed\", value = 1 }}\ntransmit = {transmit}\n[source]\nid = \"c\"\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", &links)])
}

/// Known answer: a link of weight w carries the item with probability 1 − (1 − transmit)^w. With
/// one link and one target member, the reached fraction estimates exactly that. n = 20,000
/// replications, within 4 standard errors: a correct implementation fails with probability
/// about 6e-5 per case (the seed is fixed, so in practice never).
#[test]
fn weight_gives_independent_chances() {
    let n = 20_000u64;
    for (transmit, weight, expected) in
        [(0.5, "3", 0.875), (0.5, "0.5", 1.0 - 0.5f64.sqrt()), (0.2, "2", 0.36), (0.5, "1", 0.5)]
    {
        let ts = two_people(transmit, Some(weight), n);
        let s = ts.load();
        let run = run_library(&s, 0);
        let reached = run.t_threshold.iter().filter(|t| t.is_some()).count() as f64 / n as f64;
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!(
            (reached - expected).abs() < 4.0 * se,
            "transmit {transmit}, weight {weight}: reached {reached}, expected {expected} ± {}",
            4.0 * se
        );
    }
}

/// A weight column of all 1 gives the same bytes as no column (Northwind, a bundled scenario
/// with every kind of channel).
#[test]
fn weight_one_is_byte_identical_to_no_weight_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(bundled("northwind.toml")).unwrap();
    let people = std::fs::read_to_string(bundled("northwind/people.csv")).unwrap();
    let links = std::fs::read_to_string(bundled("northwind/links.csv")).unwrap();
    let weighted: String = links
        .lines()
        .map(|l| {
            if l.starts_with('#') || l.trim().is_empty() {
                format!("{l}\n")
            } else if l.starts_with("source,") {
                format!("{l},weight\n")
            } else {
                format!("{l},1\n")
            }
        })
        .collect();
    assert!(weighted.contains(",weight\n") && weighted.matches(",1\n").count() > 100);
    std::fs::create_dir_all(dir.path().join("a/northwind")).unwrap();
    std::fs::create_dir_all(dir.path().join("b/northwind")).unwrap();
    for (sub, l) in [("a", &links), ("b", &weighted)] {
        std::fs::write(dir.path().join(sub).join("s.toml"), &text).unwrap();
        std::fs::write(dir.path().join(sub).join("northwind/people.csv"), &people).unwrap();
        std::fs::write(dir.path().join(sub).join("northwind/links.csv"), l).unwrap();
        run_ok(&dir.path().join(sub).join("s.toml"), &dir.path().join(sub).join("out"), &["-n", "300"]);
    }
    for file in ["summary.json", "replications.csv", "curve.csv", "summary.md"] {
        let a = std::fs::read(dir.path().join("a/out").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("b/out").join(file)).unwrap();
        assert!(a == b, "{file} differs between no weight column and a weight column of 1");
    }
}

/// Common random numbers: the weight maps the probability, never the draw, so a stronger link
/// carries the item in every replication a weaker one does, and no replication gets slower.
#[test]
fn a_larger_weight_is_never_slower_replication_by_replication() {
    // A small web: the community reaches four developers through two leads, with cross links.
    let people = "id,unit,role\nc,external,community\nl1,development,team_lead\nl2,development,team_lead\n\
                  d1,development,developer\nd2,development,developer\nd3,development,developer\nd4,development,developer\n";
    let edges = [
        ("c", "l1"),
        ("c", "l2"),
        ("l1", "d1"),
        ("l1", "d2"),
        ("l2", "d3"),
        ("l2", "d4"),
        ("d1", "d3"),
        ("d2", "d4"),
        ("l1", "l2"),
    ];
    let links = |w: &dyn Fn(usize) -> f64| {
        let mut s = String::from("source,target,channel,weight\n");
        for (i, (a, b)) in edges.iter().enumerate() {
            s += &format!("{a},{b},chat,{}\n", w(i));
        }
        s
    };
    let toml = "name = \"coupling\"\nseed = 5\nreplications = 2000\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.chat]\ndelay = { dist = \"exponential\", mean = 3 }\ntransmit = 0.3\n\
                [roles.developer]\nnotice = 0.9\nprocessing = { dist = \"exponential\", mean = 1 }\n\
                [roles.team_lead]\nwindow = { dist = \"exponential\", mean = 5 }\n[source]\nid = \"c\"\n[target]\nrole = \"developer\"\nthreshold = 0.75\n";
    let weak = links(&|i| 0.5 + 0.25 * i as f64);
    let strong = links(&|i| if i % 2 == 0 { 0.5 + 0.25 * i as f64 } else { 1.5 + i as f64 });
    let t = |l: &str| {
        let ts = TempScenario::new(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", l)]);
        run_library(&ts.load(), 0).t_threshold
    };
    let (a, b) = (t(&weak), t(&strong));
    let never = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
    let mut faster = 0;
    for (r, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(never(*y) <= never(*x), "replication {r}: stronger links gave {y:?}, weaker {x:?}");
        faster += usize::from(never(*y) < never(*x));
    }
    assert!(faster > 100, "the stronger weights should make many replications faster, made {faster}");
}

/// Bad weights: exit status 2 naming the file, the row and the column.
#[test]
fn bad_weights_name_file_row_and_column() {
    for w in ["0", "-1", "NaN", "inf", "heavy", "1e400"] {
        let links = LINKS
            .replacen("source,target,channel", "source,target,channel,weight", 1)
            .replacen("community,cm,feed", "community,cm,feed,1", 1)
            .replacen("cm,carol,chat", &format!("cm,carol,chat,{w}"), 1)
            .replacen("carol,alice,chat", "carol,alice,chat,2", 1)
            .replacen("carol,bob,chat", "carol,bob,chat,", 1);
        let ts = with_csv(PEOPLE, &links);
        let stderr = bad(&ts);
        assert_at(&stderr, "links.csv", 3);
        assert_mentions(&stderr, &["weight", "positive number", w]);
    }
}
