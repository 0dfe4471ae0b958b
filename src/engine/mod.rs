//! The engine: one replication is an event-driven first-passage pass (Dijkstra on a lazily,
//! randomly weighted graph); replications run in parallel with rayon.
//!
//! One replication (the brief's v1 semantics): the sources are processed at time 0. When person
//! `i` is processed at `t_i` (popped from the queue), a window `W_i` is drawn; for each outgoing
//! link `e`: the link must be active (involvement gate), the item is sent with probability
//! `transmit`, a delay `D_e` is drawn, and if `D_e < W_i` it is delivered at `t_i + D_e`; the
//! delivery is noticed with the channel's (or the receiver's role's) notice probability, and
//! leads to processing after a drawn processing delay. The receiver is processed at the earliest
//! such time. Draws are lazy where it pays (only links to people not processed yet are looked
//! at, and only links that carry the item get a delay) and, being pure functions of (seed,
//! replication, entity, purpose), independent of the order of events.

pub mod budget;
pub mod outcome;
pub mod queue;

use rayon::prelude::*;

use crate::engine::outcome::{Attribution, CurveAccumulator, CurveGrid, Groups};
use crate::engine::queue::{Heap, Positions};
use crate::model::{ChannelId, ChannelParams, Model, Timing, broadcast_key, next_occurrence};
use crate::random::rng::{Purpose, ReplicationStream};

/// What the pass knows about one person in one replication: everything a delivery to them
/// reads or writes, in one 16-byte record (on organisations of a million people each access
/// misses the cache, so one line instead of two or three per delivery).
#[derive(Debug, Clone, Copy)]
struct Tentative {
    /// The best processing time so far, in hours (∞ = untouched).
    time: f32,
    /// Their slot in the queue's heap, valid only while they are in it.
    position: u32,
    /// The index (into `Model::arcs`) of the link whose delivery led to `time`; `NO_LINK` for a
    /// source. Valid only where `time` is finite.
    via: u32,
    /// The channel of `via` (unused for a source), so that counting who first heard over which
    /// channel reads no arc.
    heard: ChannelId,
    /// Their role index: a copy of the structure's, so that a delivery finds the receiver's
    /// notice and processing without another cache miss. Set once per workspace.
    role: u16,
}

impl Positions for [Tentative] {
    #[inline(always)]
    fn position(&self, person: u32) -> u32 {
        self[person as usize].position
    }

    #[inline(always)]
    fn set_position(&mut self, person: u32, at: u32) {
        self[person as usize].position = at;
    }
}

/// `Tentative::via` of a source: processed at time 0, not through a link.
const NO_LINK: u32 = u32::MAX;

/// Reusable per-thread buffers of the pass, so a replication allocates nothing.
#[derive(Debug)]
pub struct Workspace {
    /// Per person: the best processing time so far in this replication, the queue position and
    /// the link that delivered it, side by side so one cache line access reads all (on
    /// organisations of a million people these accesses miss the cache). Reset through
    /// `touched`.
    people: Vec<Tentative>,
    /// `touched[..touched_len]`: the people whose `time` is finite, so that resetting costs what
    /// the replication touched (one slot per person and a spare, filled without a branch).
    touched: Vec<u32>,
    touched_len: usize,
    /// One bit per person: processed in this replication (64 people per word, so that the
    /// "skip processed receivers" test stays in L1 cache).
    processed: Vec<u64>,
    /// The event queue (its positions are in `people`).
    queue: Heap,
    /// Target members newly processed per curve grid interval in the last replication.
    pub curve_counts: Vec<u32>,
    /// Target members processed in the last replication, by the channel of the link over which
    /// they first processed the item (index = channel; the last entry = they were a source).
    pub first_heard: Vec<u32>,
    /// The critical path of the last replication: the links (indices into `Model::arcs`) from the
    /// source to the target member that completed the threshold, last link first. Empty if the
    /// threshold was not reached.
    pub path_links: Vec<u32>,
    /// The people on the critical path strictly between the source and that target member.
    pub path_people: Vec<u32>,
    /// Per popped person: positions (in its link list) of the links still worth a draw,
    /// compacted without branches, and (after pass 2) the arrival times (hours) over them.
    batch_link: Vec<u32>,
    batch_arrival: Vec<f32>,
}

impl Workspace {
    /// Buffers for `model` and `grid`.
    pub fn new(model: &Model, grid: &CurveGrid) -> Self {
        Workspace {
            people: model
                .structure
                .person_role
                .iter()
                .map(|&role| Tentative { time: f32::INFINITY, position: 0, via: NO_LINK, heard: 0, role })
                .collect(),
            touched: vec![0; model.people() + 1],
            touched_len: 0,
            processed: vec![0; model.people().div_ceil(64)],
            queue: Heap::default(),
            curve_counts: vec![0; grid.points as usize + 1],
            first_heard: vec![0; model.channels.len() + 1],
            path_links: Vec::new(),
            path_people: Vec::new(),
            batch_link: vec![0; model.max_out_degree()],
            batch_arrival: vec![0.0; model.max_out_degree()],
        }
    }

    /// Forgets the last replication: only what it touched is reset.
    fn reset(&mut self) {
        if self.touched_len > self.people.len() / 16 {
            // More than a sixteenth of the people were touched: one sequential sweep beats
            // scattered writes (on large organisations each of those is a cache miss).
            self.people.iter_mut().for_each(|p| p.time = f32::INFINITY);
        } else {
            for &p in &self.touched[..self.touched_len] {
                self.people[p as usize].time = f32::INFINITY;
            }
        }
        self.touched_len = 0;
        self.queue.clear();
        self.processed.fill(0);
        self.curve_counts.fill(0);
        self.first_heard.fill(0);
        self.path_links.clear();
        self.path_people.clear();
    }

    /// Records a better processing time for `p`, delivered over link `via` of channel `heard`.
    #[inline(always)]
    fn set_time(&mut self, p: usize, time: f32, via: u32, heard: ChannelId) {
        self.touched[self.touched_len] = p as u32;
        let person = &mut self.people[p];
        self.touched_len += usize::from(person.time == f32::INFINITY);
        person.time = time;
        person.via = via;
        person.heard = heard;
    }

    /// When person `p` (a model index) processed the item in the last replication, in hours;
    /// `None` if they did not by the horizon. (Calibration reads the observed people's times.)
    pub fn processed_time(&self, p: usize) -> Option<f64> {
        let processed = self.processed.get(p / 64).is_some_and(|w| (w >> (p % 64)) & 1 == 1);
        processed.then(|| f64::from(self.people[p].time))
    }

    /// Calls `f(person, hours)` for every person (model index) who processed the item in the
    /// last replication, in index order.
    pub fn for_each_processed(&self, mut f: impl FnMut(usize, f32)) {
        for (w, &word) in self.processed.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let p = w * 64 + bits.trailing_zeros() as usize;
                f(p, self.people[p].time);
                bits &= bits - 1;
            }
        }
    }

    /// Marks `p` processed.
    #[inline(always)]
    fn settle(&mut self, p: usize) {
        debug_assert_eq!(self.processed[p / 64] & (1 << (p % 64)), 0, "an indexed queue pops each person once");
        self.processed[p / 64] |= 1 << (p % 64);
    }
}

/// The delay (from send to arrival) and arrival time of the item sent at `t` by `sender` over
/// arc `arc` (an index into `Structure::arcs`) of a broadcast or scheduled channel `ch`; `d` are
/// the arc's own draws. Both mappings are non-decreasing in `t` (first in, first out).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn timed_arrival(
    model: &Model,
    stream: &ReplicationStream,
    ch: &ChannelParams,
    sender: usize,
    arc: u32,
    d: crate::random::rng::EntityDraws,
    t: f32,
    offset: f64,
) -> (f32, f32) {
    let st = &*model.structure;
    // From where (and when) the delay starts, and the delay in working hours.
    let (from, delay) = match ch.timing {
        Timing::PerLink => (t, ch.delay.draw(d.bits(Purpose::Delay))),
        Timing::Broadcast => {
            let key = broadcast_key(st.person_key(sender), st.channel_keys[st.arcs[arc as usize].channel as usize]);
            (t, ch.delay.draw(stream.entity(key).bits(Purpose::Broadcast)))
        }
        Timing::Scheduled { every } => {
            let phase = every * stream.entity(model.meeting_key(arc)).uniform(Purpose::MeetingPhase);
            let occurrence = next_occurrence(f64::from(t), phase, every) as f32;
            let extra = if ch.delay.is_zero() { 0.0 } else { ch.delay.draw(d.bits(Purpose::Delay)) };
            (occurrence.max(t), extra)
        }
        Timing::At => {
            let channel = st.arcs[arc as usize].channel as usize;
            let occurrence = model.calendar.as_deref().map_or(f32::INFINITY, |c| c.next_scheduled(channel, offset, t));
            let extra = if ch.delay.is_zero() { 0.0 } else { ch.delay.draw(d.bits(Purpose::Delay)) };
            (occurrence, extra)
        }
        // Replayed arcs are timed by `replay_arrival`.
        Timing::Replay => return (f32::INFINITY, f32::INFINITY),
    };
    match model.calendar.as_deref() {
        // Per link and broadcast: the window test is on the drawn delay itself.
        None if from == t => (delay, t + delay),
        None => {
            let arrival = from + delay;
            (arrival - t, arrival)
        }
        Some(c) => {
            // The delay runs on the receiver's working clock; the window on the sender's.
            let to = st.arcs[arc as usize].to as usize;
            let arrival = c.advance(to, offset, from, delay);
            (c.worked_between(sender, offset, t, arrival), arrival)
        }
    }
}

/// The identity key of a replication's replay start draw.
const REPLAY_START_KEY: u64 = 0x5265_706c_6179_5354;

/// The delay and arrival (hours on the item's clock) of the item sent at `t` over replayed arc
/// `arc` (an index into `Structure::arcs`), the item having appeared `start` hours after the
/// log's first message: the first message of the pair at or after `start + t` that carries it
/// (each independently with the log's `per_message`, a draw keyed by the message, so that it
/// is the same in every variant). Non-decreasing in `t`. Messages arriving after `limit` (the
/// receiver's best time or the horizon) cannot pass, so the scan stops there: `(∞, ∞)`, as
/// when no message carries before the log's end.
#[inline(never)]
fn replay_arrival(model: &Model, stream: &ReplicationStream, arc: u32, t: f32, start: f64, limit: f32) -> (f32, f32) {
    const NEVER: (f32, f32) = (f32::INFINITY, f32::INFINITY);
    let Some(r) = &model.structure.replay else { return NEVER };
    let pair = r.arc_pair[arc as usize];
    if pair == crate::model::NO_GROUP {
        return NEVER;
    }
    let (hours, keys) = r.log.messages_of(pair);
    let from = start + f64::from(t);
    let p = r.log.per_message;
    for m in hours.partition_point(|&h| h < from)..hours.len() {
        // Rounding to f32 is monotone and `t` is an f32, so `arrival >= t`.
        let arrival = (hours[m] - start) as f32;
        if arrival > limit {
            break;
        }
        if p >= 1.0 || stream.entity(keys[m]).uniform(Purpose::Carry) < p {
            return (arrival - t, arrival);
        }
    }
    NEVER
}

/// Runs replication `replication` of `model` under `seed`. Times are `f32` hours inside the pass
/// (resolution about 1e-7 of the time, e.g. 0.2 s at 1000 h). Returns T_threshold in hours, or
/// `None` when fewer than `k` target members are processed by the horizon. Fills
/// `ws.curve_counts` with the target members processed per curve grid interval.
pub fn run_replication(
    model: &Model,
    seed: u64,
    replication: u64,
    grid: &CurveGrid,
    ws: &mut Workspace,
) -> Option<f64> {
    ws.reset();
    let st = &*model.structure;
    let stream = ReplicationStream::new(seed, replication);
    // Rounded to the nearest f32 like every duration, so that a delivery at exactly the horizon
    // (in the scenario's decimals) counts. Times closer than the f32 resolution to the horizon
    // (about 1e-7 of it) cannot be told apart from it.
    let horizon = model.horizon_hours as f32;
    // Working calendars: hours from the clocks' origin to the item's appearance.
    let calendar = model.calendar.as_deref();
    let offset = calendar.map_or(0.0, |c| c.offset(&stream));
    // Replay: the moment of the log (hours after its first message) the item appears at.
    let replay_start = st
        .replay
        .as_ref()
        .map_or(0.0, |r| r.log.start_hours(stream.entity(REPLAY_START_KEY).uniform(Purpose::ReplayStart)));
    for &s in &st.sources {
        ws.queue.push_or_decrease(ws.people.as_mut_slice(), 0.0, s, false);
        ws.set_time(s as usize, 0.0, NO_LINK, 0);
    }
    let mut processed_in_target = 0u32;
    let mut t_threshold = None;
    let mut completing = None;
    while let Some((t, i)) = ws.queue.pop(ws.people.as_mut_slice()) {
        let iu = i as usize;
        debug_assert_eq!(ws.people[iu].time, t);
        ws.settle(iu);
        let me = st.person[iu];
        // Touch the next pop's record and the first and last of its arcs now, so that their
        // cache misses overlap this person's work: plain loads whose results nothing waits for,
        // a prefetch without `unsafe` (at 1M people 13% off a replication; the next pop is
        // usually the queue's top now, and a wrong guess costs only the loads).
        if let Some(next) = ws.queue.peek_person() {
            let (from, to) = (st.person[next as usize].first_arc, st.person[next as usize + 1].first_arc);
            std::hint::black_box(st.arcs.get(from as usize).map(|a| a.to));
            std::hint::black_box(st.arcs.get(to.saturating_sub(1) as usize).map(|a| a.to));
        }
        if me.in_target {
            processed_in_target += 1;
            ws.curve_counts[grid.bin(f64::from(t))] += 1;
            let me_now = &ws.people[iu];
            let heard = if me_now.via == NO_LINK { model.channels.len() } else { usize::from(me_now.heard) };
            ws.first_heard[heard] += 1;
            if processed_in_target == model.k {
                t_threshold = Some(f64::from(t));
                completing = Some(i);
            }
            if processed_in_target == st.target_size {
                break; // every target member processed: nothing left to measure
            }
        }
        let role = &model.roles[me.role as usize];
        let window = match &role.window {
            None => f32::INFINITY,
            Some(w) => w.draw(stream.entity(me.key).bits(Purpose::Window)),
        };
        let first_arc = me.first_arc;
        let arcs = &st.arcs[first_arc as usize..st.person[iu + 1].first_arc as usize];
        // Pass 1: the positions of the links to receivers not processed yet, compacted without a
        // branch (whether a receiver is processed is a coin flip to the branch predictor).
        let mut n = 0;
        for (a, arc) in arcs.iter().enumerate() {
            let j = arc.to as usize;
            ws.batch_link[n] = a as u32;
            n += ((ws.processed[j / 64] >> (j % 64)) & 1 ^ 1) as usize;
        }
        // Pass 2: whether the item is sent over each link (involvement gate, transmit), its
        // delay if it is, and the tests on the delay that usually decide, combined without a
        // branch (each test is a coin flip to the branch predictor). The links that pass are
        // compacted in place, with their arrival times in `batch_arrival`.
        let mut m = 0;
        for k in 0..n {
            let a = ws.batch_link[k];
            let arc = &arcs[a as usize];
            let j = arc.to as usize;
            let best = ws.people[j].time;
            let ch = &model.channels[arc.channel as usize];
            let d = stream.entity(arc.key);
            let open = model.kinds[arc.kind as usize].gate.is_none_or(|gate| {
                let involved = if gate.on_sender { iu } else { j };
                stream.entity(st.person_key(involved)).uniform(gate.purpose) < gate.fraction
            });
            // A link's weight maps its channel's probability, never the draw (common random
            // numbers: a stronger link carries the item in every replication a weaker one does).
            let transmit = match model.arc_transmit.get((first_arc + a) as usize) {
                None => ch.transmit,
                Some(&p) => p,
            };
            let sent = open && (transmit >= 1.0 || d.uniform(Purpose::Transmit) < transmit);
            // Only links that carry the item get a delay draw (some distributions are costly).
            let (delay, arrival) = if !sent {
                (f32::INFINITY, f32::INFINITY)
            } else if ch.timing == Timing::PerLink && calendar.is_none() {
                let delay = ch.delay.draw(d.bits(Purpose::Delay));
                (delay, t + delay)
            } else if ch.timing == Timing::Replay {
                replay_arrival(model, &stream, first_arc + a, t, replay_start, best.min(horizon))
            } else {
                timed_arrival(model, &stream, ch, iu, first_arc + a, d, t, offset)
            };
            // Sent; not processed or about to be no later than any delivery; delivered within
            // the sender's window; not after the best time so far (an equal arrival may still
            // tie it, see below) nor after the horizon.
            let pass = sent & (best > t) & (delay < window) & (arrival <= best) & (arrival <= horizon);
            ws.batch_link[m] = a;
            ws.batch_arrival[m] = arrival;
            m += usize::from(pass);
        }
        // Pass 3: the deliveries that passed, drawing the rest lazily.
        for k in 0..m {
            let a = ws.batch_link[k] as usize;
            let arrival = ws.batch_arrival[k];
            let arc = &arcs[a];
            let j = arc.to as usize;
            // Again: an earlier link of this batch may have reached the same receiver.
            let best = ws.people[j].time;
            if !(best > t && arrival <= best) {
                continue;
            }
            let ch = &model.channels[arc.channel as usize];
            let kind = &model.kinds[arc.kind as usize];
            let d = stream.entity(arc.key);
            let receiver = &model.roles[usize::from(ws.people[j].role)];
            // An absent receiver neither notices nor relays (nested: `u < absent`).
            if receiver.absent > 0.0 && stream.entity(st.person_key(j)).uniform(Purpose::Absence) < receiver.absent {
                continue;
            }
            let mut notice = ch.notice.unwrap_or(receiver.notice);
            let mut factor = 1.0;
            if let Some(p) = kind.priority {
                notice = notice.max(p.notice);
                factor = p.processing_factor as f32;
            }
            if notice < 1.0 && d.uniform(Purpose::Notice) >= notice {
                continue;
            }
            let processing = if receiver.processing.is_zero() {
                0.0
            } else {
                factor * receiver.processing.draw(d.bits(Purpose::Processing))
            };
            let candidate = match calendar {
                None => arrival + processing,
                Some(c) => c.advance(j, offset, arrival, processing),
            };
            if candidate < best && candidate <= horizon {
                ws.queue.push_or_decrease(ws.people.as_mut_slice(), candidate, arc.to, best.is_finite());
                ws.set_time(j, candidate, first_arc + a as u32, arc.channel);
            } else if candidate == best {
                // A tie: credit the link with the smaller identity key, so that the critical path
                // does not depend on the order of people in the input.
                let via = ws.people[j].via;
                if via != NO_LINK && arc.key < st.arcs[via as usize].key {
                    ws.people[j].via = first_arc + a as u32;
                    ws.people[j].heard = arc.channel;
                }
            }
        }
    }
    debug_assert!(t_threshold.is_none_or(|t| t <= f64::from(horizon)));
    if let Some(p) = completing {
        trace_critical_path(model, ws, p);
    }
    t_threshold
}

/// The critical path of a replication that reached the threshold: follows the delivering links
/// back from `completing` (the target member whose processing completed it) to a source,
/// recording the links and the relaying people (not the source) in `ws`.
#[cold]
fn trace_critical_path(model: &Model, ws: &mut Workspace, completing: crate::org::PersonIdx) {
    let mut p = completing;
    loop {
        let via = ws.people[p as usize].via;
        if via == NO_LINK {
            break;
        }
        ws.path_links.push(via);
        let sender = model.sender_of(via);
        if ws.people[sender as usize].via != NO_LINK {
            ws.path_people.push(sender);
        }
        p = sender;
    }
}

/// Replications of one model: T_threshold per replication (in replication order), the folded
/// adoption curve and the bottleneck attribution (by model index).
#[derive(Debug, Clone)]
pub struct ModelRun {
    /// The first replication of the range.
    pub first_replication: u64,
    /// T_threshold in hours per replication; `None` = not reached by the horizon.
    pub t_threshold: Vec<Option<f64>>,
    /// The adoption curve counts.
    pub curve: CurveAccumulator,
    /// Where the item travelled (critical paths, first-heard channels), by model index.
    pub attribution: Attribution,
}

impl Groups for Model {
    fn unit_of(&self, person: u32) -> usize {
        self.structure.person_unit[person as usize] as usize
    }

    fn role_of(&self, person: u32) -> usize {
        self.structure.person_role[person as usize] as usize
    }

    fn site_of(&self, person: u32) -> Option<usize> {
        Model::site_of(self, person)
    }

    fn link_units(&self, link: u32) -> (u32, u32) {
        let units = &self.structure.person_unit;
        (units[self.sender_of(link) as usize], units[self.structure.arcs[link as usize].to as usize])
    }
}

/// What one chunk of replications accumulates: the attribution and (replication, T) pairs.
struct Folded {
    attribution: Attribution,
    results: Vec<(u64, Option<f64>)>,
}

impl Folded {
    fn new(model: &Model) -> Self {
        Folded {
            attribution: Attribution::new(
                model.channels.len(),
                model.structure.unit_count,
                model.role_count(),
                model.site_count(),
                model.structure.person_unit.len(),
            ),
            results: Vec::new(),
        }
    }

    fn merge(mut self, other: Folded) -> Folded {
        self.attribution.merge(&other.attribution);
        self.results.extend(other.results);
        self
    }
}

/// Replications of a chunk whose curve counts are added to the shared curve under one lock.
pub const CURVE_BATCH: usize = 64;

/// Runs the replications `replications` (e.g. `0..1000`) of `model` in parallel on the current
/// rayon pool. The result does not depend on the number of threads. `progress` is called once
/// per finished replication.
///
/// Memory: one workspace per chunk in flight and one shared curve accumulator, so memory does
/// not grow with the curve grid times the thread count.
pub fn run_model(
    model: &Model,
    seed: u64,
    replications: std::ops::Range<u64>,
    grid: &CurveGrid,
    progress: &(dyn Fn() + Sync),
) -> ModelRun {
    // A few chunks per worker thread, each run sequentially with one workspace; the integer
    // merges make the result independent of how the chunks were scheduled.
    let count = (replications.end - replications.start) as usize;
    let chunks = (rayon::current_num_threads().max(1) * 4).clamp(1, count.max(1));
    let per_chunk = count.div_ceil(chunks);
    let curve = std::sync::Mutex::new(CurveAccumulator::new(grid, model.target_size()));
    let folded = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut ws = Workspace::new(model, grid);
            let mut acc = Folded::new(model);
            let width = grid.points as usize + 1;
            let mut batch: Vec<u32> = Vec::with_capacity(width * CURVE_BATCH.min(per_chunk.max(1)));
            let flush = |batch: &mut Vec<u32>| {
                if !batch.is_empty() {
                    let mut shared = curve.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    batch.chunks_exact(width).for_each(|counts| shared.add_replication(counts));
                    batch.clear();
                }
            };
            for i in (c * per_chunk)..((c + 1) * per_chunk).min(count) {
                let r = replications.start + i as u64;
                let t = run_replication(model, seed, r, grid, &mut ws);
                batch.extend_from_slice(&ws.curve_counts);
                if batch.len() >= width * CURVE_BATCH {
                    flush(&mut batch);
                }
                let channel_of = |l: u32| model.structure.arcs[l as usize].channel as usize;
                acc.attribution.add_replication(
                    t.is_some(),
                    &ws.path_people,
                    &ws.path_links,
                    channel_of,
                    model,
                    &ws.first_heard,
                );
                let units = &model.structure.person_unit;
                ws.for_each_processed(|p, hours| acc.attribution.add_processed(units[p] as usize, p, hours));
                acc.results.push((r, t));
                progress();
            }
            flush(&mut batch);
            acc
        })
        .reduce_with(Folded::merge)
        .unwrap_or_else(|| Folded::new(model));
    let mut results = folded.results;
    let mut attribution = folded.attribution;
    let mut unit_sizes = vec![0u64; model.structure.unit_count];
    model.structure.person_unit.iter().for_each(|&u| unit_sizes[u as usize] += 1);
    attribution.add_never(&unit_sizes, count as u64);
    results.sort_unstable_by_key(|&(r, _)| r);
    debug_assert_eq!(results.len(), count);
    ModelRun {
        first_replication: replications.start,
        t_threshold: results.into_iter().map(|(_, t)| t).collect(),
        curve: curve.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner),
        attribution,
    }
}
