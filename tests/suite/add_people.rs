//! Variants that add people (`[[variants.add_people]]`, e.g. a new DevRel hire with their
//! `add_links`): the new people are appended, so every existing person and link keeps its draws
//! (common random numbers); known answers, and bad input naming the key.

use crate::common::{TempScenario, permeate, run_library, run_ok};

/// z for a two-sided false-failure probability of 1e-6.
const Z_1E6: f64 = 4.891_638_475_699;

/// A star: the community node `c` linked one way to the developers `l0`–`l9` over `feed`
/// (exponential delay, mean 10 h); the target is the ten developers by id, threshold 0.8;
/// `extra` appended (the variants).
fn star(extra: &str) -> TempScenario {
    let mut people = String::from("id,unit,role\nc,external,community\n");
    let mut links = String::from("source,target,channel,direction\n");
    let mut ids = Vec::new();
    for i in 0..10 {
        people += &format!("l{i},dev,developer\n");
        links += &format!("c,l{i},feed,forward\n");
        ids.push(format!("\"l{i}\""));
    }
    let toml = format!(
        "name = \"hire\"\nseed = 21\nreplications = 4000\nhorizon_hours = 1000\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = {{ dist = \"exponential\", mean = 10.0 }}\n\
         [channels.chat]\ndelay = {{ dist = \"fixed\", value = 1.0 }}\n\
         [roles.community]\n[roles.developer]\n[roles.devrel]\n\
         [target]\nid = [{}]\nthreshold = 0.8\n{extra}\n",
        ids.join(", ")
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)])
}

/// The hire `d` (unit devrel, role devrel) with a link from the community over `feed`.
const HIRE: &str = "[[variants.add_people]]\nid = \"d\"\nunit = \"devrel\"\nrole = \"devrel\"\nname = \"New Hire\"\n\
     [[variants.add_links]]\nsource = \"c\"\ntarget = \"d\"\nchannel = \"feed\"\ndirection = \"forward\"\n";

/// Common random numbers: a hire who only receives (not in the target) leaves every
/// replication's T80 exactly as in the baseline; a hire who also tells every developer over
/// `chat` (1 h) never makes one later. Known answer: with the target set to the hire alone, T is
/// the `feed` delay, exponential with mean 10 h: the mean of 4,000 replications within 4.9
/// standard errors of 10 h.
///
/// Broken version seen to fail: the replication stream seeded with the organisation's size
/// (`seed ^ people`): the hire then changes everybody's draws and the listening hire's T80
/// differs from the baseline's.
#[test]
fn a_hire_keeps_everybodys_draws_and_is_reached_over_their_links() {
    let mut tell = String::new();
    for i in 0..10 {
        tell += &format!("[[variants.add_links]]\nsource = \"d\"\ntarget = \"l{i}\"\nchannel = \"chat\"\n");
    }
    let ts = star(&format!(
        "[[variants]]\nname = \"hire listens\"\n{HIRE}\
         [[variants]]\nname = \"hire tells\"\n{HIRE}{tell}\
         [[variants]]\nname = \"hire alone\"\nset = {{ \"target.id\" = [\"d\"], \"target.threshold\" = 1.0 }}\n{HIRE}"
    ));
    let sc = ts.load();
    assert_eq!(sc.variants()[1].org.len(), 12, "the hire is a person of the variant");
    assert_eq!(sc.variants()[0].org.len(), 11, "the baseline has no hire");
    let base = run_library(&sc, 0);
    let listens = run_library(&sc, 1);
    let differs = base.t_threshold.iter().zip(&listens.t_threshold).position(|(a, b)| a != b);
    assert_eq!(differs, None, "a hire who only listens changes nothing; replication {differs:?} differs");
    let tells = run_library(&sc, 2);
    let mut faster = 0;
    for (r, (b, t)) in base.t_threshold.iter().zip(&tells.t_threshold).enumerate() {
        let (b, t) = (b.expect("the star always reaches"), t.expect("and with the hire too"));
        assert!(t <= b + 1e-4, "replication {r}: {t} h with the hire, {b} h without");
        faster += usize::from(t < b - 1e-4);
    }
    assert!(faster > 1000, "the hire's chat is a shortcut: {faster} faster replications");
    let alone = run_library(&sc, 3);
    let t: Vec<f64> = alone.t_threshold.iter().map(|t| t.expect("reached")).collect();
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    let se = 10.0 / (t.len() as f64).sqrt();
    assert!((mean - 10.0).abs() <= Z_1E6 * se, "mean {mean} h, want 10 h (se {se})");
}

/// The whole run, report included, with a hire in a new unit and at a new site (units and
/// sites by unit and site in the report grow for that variant only): exit 0, and `check` passes.
#[test]
fn a_run_with_a_hire_in_a_new_unit_writes_its_report() {
    let hire = HIRE.replace("name = \"New Hire\"\n", "name = \"New Hire\"\nsite = \"Remote\"\n");
    let ts = star(&format!(
        "[[variants]]\nname = \"hire\"\n{hire}[[variants.add_links]]\nsource = \"d\"\ntarget = \"l3\"\nchannel = \"chat\"\n"
    ));
    let out = ts.path("out");
    run_ok(&ts.scenario(), &out, &[]);
    assert!(out.join("report.html").exists() || out.join("summary.md").exists());
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("people added: d"), "the report names the hire among the variant's changes");
}

/// Bad `add_people`: exit status 2 and the key named.
#[test]
fn bad_added_people_name_the_key() {
    let ok = "[[variants.add_people]]\nid = \"d\"\nunit = \"devrel\"\nrole = \"devrel\"\n";
    for (variant, wants) in [
        (format!("{ok}colour = \"red\"\n"), "colour"),
        ("[[variants.add_people]]\nid = \"d\"\nunit = \"devrel\"\n".to_string(), "role"),
        ("[[variants.add_people]]\nid = \"l3\"\nunit = \"devrel\"\nrole = \"devrel\"\n".into(), "add_people.0.id"),
        ("[[variants.add_people]]\nid = \" \"\nunit = \"devrel\"\nrole = \"devrel\"\n".into(), "add_people.0.id"),
        (format!("{ok}{}", ok.replace("\"devrel\"\nrole", "\"x\"\nrole")), "add_people.1.id"),
        (
            "[[variants.add_people]]\nid = \"a\\u0001\"\nunit = \"devrel\"\nrole = \"devrel\"\n".into(),
            "add_people.0.id",
        ),
        (
            format!("{ok}[[variants.add_links]]\nsource = \"d\"\ntarget = \"zed\"\nchannel = \"chat\"\n"),
            "add_links.0.target",
        ),
    ] {
        let ts = star(&format!("[[variants]]\nname = \"v\"\n{variant}"));
        let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{variant}: {err}");
        assert!(err.contains(wants), "{variant}: wants {wants} in: {err}");
    }
}
