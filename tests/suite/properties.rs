//! Property tests (proptest): the event queue orders any monotone schedule, and on random small
//! organisations raising a probability never makes any replication slower.

#![allow(clippy::result_large_err)] // the library's input errors, matched as they are

use permeate::analysis::stats::paired;
use permeate::engine::queue::IndexedQueue;
use proptest::prelude::*;

use crate::common::{TempScenario, run_library};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever is pushed or lowered (at or after the last time popped), pops come out in time
    /// order, each person once, with their lowest time.
    #[test]
    fn queue_pops_in_order(steps in prop::collection::vec((0u32..40, 0.0f32..50.0, any::<bool>()), 1..300)) {
        let mut q = IndexedQueue::new(40);
        let mut best: Vec<Option<f32>> = vec![None; 40];
        let mut done = [false; 40];
        let mut now = 0.0f32;
        for (p, gap, pop) in steps {
            let t = now + gap;
            let pu = p as usize;
            if !done[pu] {
                match best[pu] {
                    None => { q.push(t, p); best[pu] = Some(t); }
                    Some(b) if t < b => { q.decrease(t, p); best[pu] = Some(t); }
                    _ => {}
                }
            }
            if pop {
                let expected = (0..40).filter(|&i| !done[i]).filter_map(|i| best[i]).fold(None, |m: Option<f32>, t| Some(m.map_or(t, |m| m.min(t))));
                let got = q.pop();
                prop_assert_eq!(got.map(|(t, _)| t), expected);
                if let Some((t, p)) = got {
                    prop_assert_eq!(best[p as usize], Some(t));
                    done[p as usize] = true;
                    now = t;
                }
            }
        }
    }

    /// On a random organisation, raising `transmit` and `notice` never makes a replication
    /// slower, and a variant equal to the baseline differs by exactly zero.
    #[test]
    fn raising_probabilities_is_monotone_on_random_graphs(
        n in 4usize..25,
        edges in prop::collection::vec((0usize..25, 0usize..25, any::<bool>()), 3..60),
        p in 0.05f64..0.95,
        raise in 0.0f64..0.5,
        seed in 0u64..1000,
    ) {
        let mut people = String::from("id,unit,role\nsrc,external,community\n");
        for i in 0..n {
            people += &format!("d{i},dev,developer\n");
        }
        let mut links = String::from("source,target,channel,direction\n");
        for (i, (a, b, both)) in edges.iter().enumerate() {
            let (a, b) = (a % n, b % n);
            if a != b {
                links += &format!("d{a},d{b},chat,{}\n", if *both { "both" } else { "forward" });
            }
            if i % 4 == 0 {
                links += &format!("src,d{a},chat,forward\n");
            }
        }
        let q = (p + raise).min(1.0);
        let toml = format!(
            "name = \"random\"\nseed = {seed}\nreplications = 40\nhorizon_hours = 500\n\
             [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
             [channels.chat]\ndelay = {{ dist = \"lognormal\", median = 2.0, sigma = 1.0 }}\ntransmit = {p}\n\
             [roles.developer]\nnotice = {p}\nprocessing = {{ dist = \"exponential\", mean = 3.0 }}\nwindow = {{ dist = \"weibull\", shape = 1.5, scale = 20.0 }}\n\
             [target]\nrole = \"developer\"\nthreshold = 0.5\n\
             [[variants]]\nname = \"raised\"\nset = {{ \"channels.chat.transmit\" = {q}, \"roles.developer.notice\" = {q} }}\n\
             [[variants]]\nname = \"same\"\n"
        );
        let s = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)]).load();
        let base = run_library(&s, 0).t_threshold;
        let raised = run_library(&s, 1).t_threshold;
        let same = run_library(&s, 2).t_threshold;
        for (b, r) in base.iter().zip(&raised) {
            prop_assert!(r.unwrap_or(f64::INFINITY) <= b.unwrap_or(f64::INFINITY), "raised {:?} slower than {:?}", r, b);
        }
        prop_assert_eq!(&base, &same);
        let d = paired(&base, &same);
        prop_assert_eq!((d.p_faster, d.p_slower), (0.0, 0.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// User input never panics: a valid scenario and CSVs with random edits (bytes replaced,
    /// removed or inserted) either load or give an input error.
    #[test]
    fn mangled_input_never_panics(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let toml = "name = \"m\"\nseed = 3\nreplications = 5\nhorizon_hours = 100\n\
                    [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                    [channels.chat]\ndelay = { dist = \"lognormal\", median = 2.0, sigma = 1.0 }\ntransmit = 0.5\n\
                    [roles.developer]\nnotice = 0.8\nwindow = { dist = \"uniform\", min = 1, max = 9 }\n\
                    [target]\nrole = \"developer\"\n[[variants]]\nname = \"v\"\nset = { \"channels.chat.transmit\" = 0.9 }\n\
                    [sweep]\n\"roles.developer.notice\" = [0.5, 1.0]\n";
        let people = "id,unit,role\nc,external,community\na,dev,developer\nb,dev,developer\n";
        let links = "source,target,channel,direction\nc,a,chat,forward\na,b,chat,both\n";
        let mut files = [toml.as_bytes().to_vec(), people.as_bytes().to_vec(), links.as_bytes().to_vec()];
        let f = &mut files[which];
        for (at, byte, op) in edits {
            let i = at.index(f.len().max(1)).min(f.len());
            match op {
                0 if i < f.len() => f[i] = byte,
                1 if i < f.len() => { f.remove(i); }
                _ => f.insert(i, byte),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in ["scenario.toml", "people.csv", "links.csv"].iter().zip(&files) {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        let loaded = std::panic::catch_unwind(|| permeate::Scenario::load(&dir.path().join("scenario.toml")).map(|s| {
            // A scenario that still loads must also run.
            let options = permeate::study::plan::PlanOptions { replications: Some(3), ..Default::default() };
            permeate::study::results(&permeate::study::Plan::new(&s, options).unwrap(), &|| {}).map(|r| r.variants.len())
        }));
        prop_assert!(loaded.is_ok(), "panicked on input {:?}", String::from_utf8_lossy(&files[which]));
    }
}
