//! Property tests (proptest): the event queue orders any monotone schedule, and on random small
//! organisations raising a probability never makes any replication slower.

use permeate::queue::IndexedQueue;
use permeate::stats::paired;
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
