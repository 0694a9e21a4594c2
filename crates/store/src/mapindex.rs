//! The map's index: every event's map fields in memory, laid out along a Z-order
//! (Morton) curve over Web Mercator, so that any tile is one contiguous run of it.
//!
//! A point's key interleaves the bits of its 32-bit Web Mercator column and row, so the
//! top `2z` bits of the key are its tile at zoom `z` and the next 10 bits its cell of a
//! 32×32 grid inside that tile. Tiles ([`MapIndex::tile`]) are then two binary searches
//! and one sequential pass: no tile scans more than its own events, at any zoom.
//!
//! The index is built from [`EventStore::each_point`], so it works on both backends; a
//! filter on actors, countries, words or a box makes a smaller index of its own
//! ([`MapIndex::build`]) while dates, types and confidence are applied while a tile is cut
//! ([`Selection`]), which is what the timeline changes many times a second.

use std::collections::HashMap;

use mvt::{GeomEncoder, GeomType, Tile};

use crate::filter::EVENT_TYPES;
use crate::{DayCount, EventPoint, EventStore, Filter, StoreError};

/// Tile extent, in tile units (the Mapbox Vector Tile default).
pub const EXTENT: u32 = 4096;
/// From this zoom on, a tile carries one feature per event; below it, counts per cell.
pub const POINT_ZOOM: u8 = 10;
/// Highest zoom served.
pub const MAX_ZOOM: u8 = 22;
/// Cells per tile side below [`POINT_ZOOM`], as a power of two (32 × 32 cells of 128 units,
/// 16 pixels of a 512-pixel tile: finer cells drew 4,000 overlapping circles a screen, which
/// a software renderer pans at a few frames a second).
const CELL_BITS: u8 = 5;
/// A tile at or above [`POINT_ZOOM`] with more matching events than this is cut into
/// 128 × 128 cells instead, so that one tile never carries an unbounded number of features.
pub const MAX_TILE_POINTS: usize = 20_000;
/// The name of the tile layer.
pub const LAYER: &str = "events";

/// What a tile shows of the index: the filters that change without a new index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// First day, inclusive.
    pub date_from: Option<String>,
    /// Last day, inclusive.
    pub date_to: Option<String>,
    /// Event types; empty means any.
    pub event_types: Vec<String>,
    /// Lowest confidence.
    pub min_confidence: Option<f64>,
}

impl Selection {
    /// Splits a filter into what the index must be built with (actors, countries, words,
    /// box) and what a tile applies (dates, types, confidence).
    pub fn split(filter: &Filter) -> (Filter, Selection) {
        let selection = Selection {
            date_from: filter.date_from.clone(),
            date_to: filter.date_to.clone(),
            event_types: filter.event_types.clone(),
            min_confidence: filter.min_confidence,
        };
        let base = Filter {
            date_from: None,
            date_to: None,
            event_types: Vec::new(),
            min_confidence: None,
            ..filter.clone()
        };
        (base, selection)
    }
}

/// One event's map fields, 32 bytes.
#[derive(Debug, Clone, Copy)]
struct Row {
    x: u32,
    y: u32,
    date: u32,
    place: u32,
    report_count: u32,
    fatalities: i32,
    confidence: f32,
    event_type: u8,
}

/// The map fields of a set of events, in Z-order.
#[derive(Debug, Default)]
pub struct MapIndex {
    keys: Vec<u64>,
    rows: Vec<Row>,
    /// Event ids, one string; id `i` is `ids[id_ends[i - 1]..id_ends[i]]`.
    ids: String,
    id_ends: Vec<usize>,
    dates: Vec<String>,
    places: Vec<String>,
    /// Whether every event visited is held as the store has it (see [`MapIndex::day_counts`]).
    exact: bool,
}

/// Web Mercator column and row of a point as fractions of the world, 0..1 (row 0 north).
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0))
}

/// The longitude and latitude of a Web Mercator position (fractions of the world).
pub fn unmercator(x: f64, y: f64) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    (lon, n.sinh().atan().to_degrees())
}

fn quantize(fraction: f64) -> u32 {
    (fraction * 4_294_967_296.0).clamp(0.0, 4_294_967_295.0) as u32
}

/// Spreads the 32 bits of `v` to the even bits of a `u64`.
fn spread(v: u32) -> u64 {
    let mut v = u64::from(v);
    v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
    v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333_3333_3333;
    (v | (v << 1)) & 0x5555_5555_5555_5555
}

/// The Z-order key of a column and row: row bits odd, column bits even.
pub(crate) fn morton(x: u32, y: u32) -> u64 {
    spread(x) | (spread(y) << 1)
}

/// Whether `(z, x, y)` names a tile.
pub fn valid_tile(z: u32, x: u32, y: u32) -> bool {
    z <= u32::from(MAX_ZOOM) && u64::from(x) < (1u64 << z) && u64::from(y) < (1u64 << z)
}

/// Interns strings, keeping their first-seen order.
#[derive(Default)]
struct Interner {
    index: HashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    fn get(&mut self, value: &str) -> u32 {
        if let Some(&at) = self.index.get(value) {
            return at;
        }
        let at = self.values.len() as u32;
        self.values.push(value.to_owned());
        self.index.insert(value.to_owned(), at);
        at
    }
}

/// Rows as they come from the store, before they are put in Z-order.
#[derive(Default)]
struct Builder {
    keys: Vec<u64>,
    rows: Vec<Row>,
    ids: String,
    id_ends: Vec<usize>,
    dates: Interner,
    places: Interner,
    /// Events left out or retyped.
    inexact: bool,
}

impl Builder {
    fn push(&mut self, point: &EventPoint) {
        if !(point.lon.is_finite() && point.lat.is_finite()) {
            self.inexact = true;
            return;
        }
        let (fx, fy) = mercator(point.lon, point.lat);
        let (x, y) = (quantize(fx), quantize(fy));
        let event_type = match EVENT_TYPES.iter().position(|known| *known == point.event_type) {
            Some(at) => at as u8,
            None => {
                self.inexact = true;
                (EVENT_TYPES.len() - 1) as u8
            }
        };
        // Confidence is held in 32 bits: the extractor's own precision, but counts made
        // from a value that does not round-trip would not be the store's.
        let confidence = point.confidence as f32;
        if f64::from(confidence) != point.confidence {
            self.inexact = true;
        }
        self.rows.push(Row {
            x,
            y,
            date: self.dates.get(&point.date),
            place: self.places.get(&point.place_name),
            report_count: u32::try_from(point.report_count.max(0)).unwrap_or(u32::MAX),
            fatalities: point.fatalities.map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX)),
            confidence,
            event_type,
        });
        self.keys.push(morton(x, y));
        self.ids.push_str(&point.id);
        self.id_ends.push(self.ids.len());
    }

    fn id(&self, at: usize) -> &str {
        let start = if at == 0 { 0 } else { self.id_ends[at - 1] };
        &self.ids[start..self.id_ends[at]]
    }

    /// Sorts the rows by key (ties by id, so that the order does not depend on the store's).
    fn finish(self) -> MapIndex {
        let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            self.keys[a].cmp(&self.keys[b]).then_with(|| self.id(a).cmp(self.id(b)))
        });
        let mut index = MapIndex {
            keys: Vec::with_capacity(order.len()),
            rows: Vec::with_capacity(order.len()),
            ids: String::with_capacity(self.ids.len()),
            id_ends: Vec::with_capacity(order.len()),
            dates: Vec::new(),
            places: Vec::new(),
            exact: !self.inexact,
        };
        for at in order {
            let at = at as usize;
            index.keys.push(self.keys[at]);
            index.rows.push(self.rows[at]);
            index.ids.push_str(self.id(at));
            index.id_ends.push(index.ids.len());
        }
        index.dates = self.dates.values;
        index.places = self.places.values;
        index
    }
}

impl MapIndex {
    /// The index of every event matching `filter` (its dates, types and confidence are
    /// better left to [`Selection`]; see [`Selection::split`]).
    pub fn build(store: &dyn EventStore, filter: &Filter) -> Result<MapIndex, StoreError> {
        let mut builder = Builder::default();
        store.each_point_unordered(filter, &mut |point| builder.push(&point))?;
        Ok(builder.finish())
    }

    /// The index of these events.
    pub fn from_points(points: &[EventPoint]) -> MapIndex {
        let mut builder = Builder::default();
        for point in points {
            builder.push(point);
        }
        builder.finish()
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it holds no event.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Heap bytes held, roughly.
    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.rows.capacity() * std::mem::size_of::<Row>()
            + self.ids.capacity()
            + self.id_ends.capacity() * 8
            + self.dates.iter().chain(&self.places).map(|s| s.capacity() + 24).sum::<usize>()
    }

    fn id(&self, at: usize) -> &str {
        let start = if at == 0 { 0 } else { self.id_ends[at - 1] };
        &self.ids[start..self.id_ends[at]]
    }

    /// The rows of tile `(z, x, y)`: a contiguous run of the Z-order.
    fn run(&self, z: u8, x: u32, y: u32) -> std::ops::Range<usize> {
        let shift = 64 - 2 * u32::from(z);
        let prefix = u128::from(morton(x, y));
        let start = prefix << shift;
        let end = (prefix + 1) << shift;
        let lo = self.keys.partition_point(|&key| u128::from(key) < start);
        let hi = self.keys.partition_point(|&key| u128::from(key) < end);
        lo..hi
    }

    /// Which dates and types a selection keeps, as lookup tables.
    fn tables(&self, selection: &Selection) -> (Vec<bool>, u32) {
        let dates = self
            .dates
            .iter()
            .map(|date| {
                selection.date_from.as_deref().is_none_or(|from| date.as_str() >= from)
                    && selection.date_to.as_deref().is_none_or(|to| date.as_str() <= to)
            })
            .collect();
        let types = if selection.event_types.is_empty() {
            u32::MAX
        } else {
            EVENT_TYPES
                .iter()
                .enumerate()
                .filter(|(_, name)| selection.event_types.iter().any(|wanted| wanted == *name))
                .fold(0, |mask, (at, _)| mask | (1 << at))
        };
        (dates, types)
    }

    /// Counts per day and type of the selected events, in the store's order (day, then
    /// type); `None` when the index left out or retyped an event (a point that is not a
    /// number, a type that is not one of EVENT_TYPES), so that only the store can count.
    pub fn day_counts(&self, selection: &Selection) -> Option<Vec<DayCount>> {
        if !self.exact {
            return None;
        }
        let (dates, types) = self.tables(selection);
        let min = selection.min_confidence.unwrap_or(f64::NEG_INFINITY);
        let mut counts: HashMap<(u32, u8), u64> = HashMap::new();
        for row in self.rows.iter().filter(|row| keeps(row, &dates, types, min)) {
            *counts.entry((row.date, row.event_type)).or_default() += 1;
        }
        let mut days: Vec<DayCount> = counts
            .into_iter()
            .map(|((date, event_type), count)| DayCount {
                date: self.dates[date as usize].clone(),
                event_type: EVENT_TYPES[usize::from(event_type)].to_owned(),
                count,
            })
            .collect();
        days.sort_unstable_by(|a, b| {
            a.date.cmp(&b.date).then_with(|| a.event_type.cmp(&b.event_type))
        });
        Some(days)
    }

    /// How many events the selection keeps.
    pub fn count(&self, selection: &Selection) -> usize {
        let (dates, types) = self.tables(selection);
        let min = selection.min_confidence.unwrap_or(f64::NEG_INFINITY);
        self.rows.iter().filter(|row| keeps(row, &dates, types, min)).count()
    }

    /// Tile `(z, x, y)` of the selected events as an uncompressed Mapbox Vector Tile with
    /// one layer, [`LAYER`]. Below [`POINT_ZOOM`] (or past [`MAX_TILE_POINTS`]) each
    /// feature is a cell: at the mean position of its events, with `count`, `event_type`
    /// (the most frequent), and a count per event type present; a cell of one event is that
    /// event. Otherwise each feature is an event: `id`, `event_type`, `date`, `confidence`,
    /// `report_count`, `fatalities` (when reported), `place_name`, `count` = 1.
    /// `None` when `(z, x, y)` is not a tile.
    pub fn tile(&self, z: u8, x: u32, y: u32, selection: &Selection) -> Option<Vec<u8>> {
        if !valid_tile(u32::from(z), x, y) {
            return None;
        }
        let (dates, types) = self.tables(selection);
        let min = selection.min_confidence.unwrap_or(f64::NEG_INFINITY);
        let run = self.run(z, x, y);
        let kept: Vec<usize> =
            run.filter(|&at| keeps(&self.rows[at], &dates, types, min)).collect();
        let cell_level = if z < POINT_ZOOM {
            Some(z + CELL_BITS)
        } else if kept.len() > MAX_TILE_POINTS {
            Some(z + CELL_BITS + 2)
        } else {
            None
        };
        let mut tile = Tile::new(EXTENT);
        let mut layer = tile.create_layer(LAYER);
        // A tile is `size` quantized units wide; its features are in 0..EXTENT.
        let size = 4_294_967_296.0 / (1u64 << z) as f64;
        let scale = f64::from(EXTENT) / size;
        let origin = (f64::from(x) * size, f64::from(y) * size);
        let to_tile = |row: &Row| {
            ((f64::from(row.x) - origin.0) * scale, (f64::from(row.y) - origin.1) * scale)
        };
        match cell_level {
            None => {
                for &at in &kept {
                    layer = self.point_feature(layer, at, to_tile(&self.rows[at]));
                }
            }
            Some(level) => {
                let shift = 64 - 2 * u32::from(level.min(32));
                let mut start = 0;
                while start < kept.len() {
                    let cell = self.keys[kept[start]] >> shift;
                    let mut end = start + 1;
                    while end < kept.len() && self.keys[kept[end]] >> shift == cell {
                        end += 1;
                    }
                    let members = &kept[start..end];
                    layer = if members.len() == 1 {
                        self.point_feature(layer, members[0], to_tile(&self.rows[members[0]]))
                    } else {
                        self.cell_feature(layer, members, &to_tile)
                    };
                    start = end;
                }
            }
        }
        if layer.num_features() > 0 {
            // A layer of valid features into a fresh tile cannot fail.
            tile.add_layer(layer).ok()?;
        }
        tile.to_bytes().ok()
    }

    fn point_feature(&self, layer: mvt::Layer, at: usize, (px, py): (f64, f64)) -> mvt::Layer {
        let Some(geometry) = point_geometry(px, py) else { return layer };
        let row = &self.rows[at];
        let mut feature = layer.into_feature(geometry);
        feature.add_tag_string("id", self.id(at));
        feature.add_tag_string("event_type", EVENT_TYPES[usize::from(row.event_type)]);
        feature.add_tag_string("date", &self.dates[row.date as usize]);
        feature.add_tag_double("confidence", f64::from(row.confidence));
        feature.add_tag_uint("report_count", u64::from(row.report_count));
        if row.fatalities >= 0 {
            feature.add_tag_uint("fatalities", row.fatalities as u64);
        }
        feature.add_tag_string("place_name", &self.places[row.place as usize]);
        feature.add_tag_uint("count", 1);
        feature.into_layer()
    }

    fn cell_feature(
        &self,
        layer: mvt::Layer,
        members: &[usize],
        to_tile: &dyn Fn(&Row) -> (f64, f64),
    ) -> mvt::Layer {
        let mut by_type = [0u64; EVENT_TYPES.len()];
        let (mut sx, mut sy) = (0.0, 0.0);
        for &at in members {
            let row = &self.rows[at];
            by_type[usize::from(row.event_type)] += 1;
            let (px, py) = to_tile(row);
            sx += px;
            sy += py;
        }
        let n = members.len() as f64;
        let Some(geometry) = point_geometry(sx / n, sy / n) else { return layer };
        let top = (0..by_type.len()).max_by_key(|&at| (by_type[at], usize::MAX - at)).unwrap_or(0);
        let mut feature = layer.into_feature(geometry);
        feature.add_tag_uint("count", members.len() as u64);
        feature.add_tag_string("event_type", EVENT_TYPES[top]);
        for (at, &count) in by_type.iter().enumerate() {
            if count > 0 {
                feature.add_tag_uint(EVENT_TYPES[at], count);
            }
        }
        feature.into_layer()
    }
}

fn keeps(row: &Row, dates: &[bool], types: u32, min_confidence: f64) -> bool {
    dates[row.date as usize]
        && types & (1 << row.event_type) != 0
        && f64::from(row.confidence) >= min_confidence
}

fn point_geometry(px: f64, py: f64) -> Option<mvt::GeomData> {
    GeomEncoder::new(GeomType::Point).point(px.round(), py.round()).ok()?.encode().ok()
}

/// A tile compressed with gzip, as served.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(id: &str, lon: f64, lat: f64, event_type: &str, date: &str) -> EventPoint {
        EventPoint {
            id: id.to_owned(),
            lon,
            lat,
            event_type: event_type.to_owned(),
            date: date.to_owned(),
            confidence: 0.8,
            report_count: 1,
            fatalities: None,
            place_name: format!("place {id}"),
        }
    }

    #[test]
    fn a_tile_is_the_run_of_its_z_order_prefix() {
        let points: Vec<EventPoint> = (0..2000)
            .map(|i| {
                let lon = 22.0 + (i % 50) as f64 * 0.4;
                let lat = 44.0 + (i / 50) as f64 * 0.3;
                point(&format!("e{i}"), lon, lat, "shelling", "2024-01-01")
            })
            .collect();
        let index = MapIndex::from_points(&points);
        for z in [0u8, 3, 6, 9, 12] {
            let mut total = 0;
            let n = 1u32 << z;
            for p in &points {
                let (fx, fy) = mercator(p.lon, p.lat);
                let (x, y) = ((fx * f64::from(n)) as u32, (fy * f64::from(n)) as u32);
                let run = index.run(z, x.min(n - 1), y.min(n - 1));
                assert!(
                    run.clone().any(|at| index.id(at) == p.id),
                    "{} not in its tile at z{z}",
                    p.id
                );
                total += 1;
            }
            assert_eq!(total, 2000);
        }
        // Every event is in exactly one tile of zoom 4.
        let sum: usize = (0..16u32)
            .flat_map(|x| (0..16u32).map(move |y| (x, y)))
            .map(|(x, y)| index.run(4, x, y).len())
            .sum();
        assert_eq!(sum, 2000);
    }

    /// A tag value as the tests read it.
    #[derive(Debug, Clone, PartialEq)]
    enum Tag {
        Text(String),
        Number(f64),
    }

    fn varint(bytes: &[u8], at: &mut usize) -> u64 {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    }

    /// The fields of a protobuf message: (field number, varint or bytes).
    fn fields(bytes: &[u8]) -> Vec<(u64, Result<u64, &[u8]>)> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < bytes.len() {
            let key = varint(bytes, &mut at);
            match key & 7 {
                0 => out.push((key >> 3, Ok(varint(bytes, &mut at)))),
                1 => {
                    let raw = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                    at += 8;
                    out.push((key >> 3, Ok(raw)));
                }
                2 => {
                    let len = varint(bytes, &mut at) as usize;
                    out.push((key >> 3, Err(&bytes[at..at + len])));
                    at += len;
                }
                5 => {
                    let raw = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
                    at += 4;
                    out.push((key >> 3, Ok(u64::from(raw))));
                }
                wire => panic!("wire type {wire}"),
            }
        }
        out
    }

    /// The features of a tile's one layer: their tile position and tags. Written from the
    /// Mapbox Vector Tile 2.1 specification, to check the encoder against it.
    fn decode(tile: &[u8]) -> Vec<((i64, i64), HashMap<String, Tag>)> {
        let mut features = Vec::new();
        for (number, value) in fields(tile) {
            let (3, Err(layer)) = (number, value) else { continue };
            let (mut keys, mut values, mut raw) = (Vec::new(), Vec::new(), Vec::new());
            for (number, value) in fields(layer) {
                match (number, value) {
                    (1, Err(name)) => assert_eq!(name, LAYER.as_bytes()),
                    (2, Err(feature)) => raw.push(feature),
                    (3, Err(key)) => keys.push(String::from_utf8(key.to_vec()).unwrap()),
                    (4, Err(value)) => {
                        let (number, value) = fields(value)[0];
                        values.push(match (number, value) {
                            (1, Err(text)) => Tag::Text(String::from_utf8(text.to_vec()).unwrap()),
                            (3, Ok(bits)) => Tag::Number(f64::from_bits(bits)),
                            (5, Ok(n)) => Tag::Number(n as f64),
                            other => panic!("value {other:?}"),
                        });
                    }
                    (5, Ok(extent)) => assert_eq!(extent, u64::from(EXTENT)),
                    _ => {}
                }
            }
            for feature in raw {
                let mut tags = HashMap::new();
                let mut point = (0, 0);
                for (number, value) in fields(feature) {
                    match (number, value) {
                        (2, Err(packed)) => {
                            let mut at = 0;
                            while at < packed.len() {
                                let key = varint(packed, &mut at) as usize;
                                let value = varint(packed, &mut at) as usize;
                                tags.insert(keys[key].clone(), values[value].clone());
                            }
                        }
                        (3, Ok(kind)) => assert_eq!(kind, 1, "a point"),
                        (4, Err(packed)) => {
                            let mut at = 0;
                            assert_eq!(varint(packed, &mut at), 9, "one MoveTo");
                            let unzig = |n: u64| (n >> 1) as i64 ^ -((n & 1) as i64);
                            point =
                                (unzig(varint(packed, &mut at)), unzig(varint(packed, &mut at)));
                        }
                        _ => {}
                    }
                }
                features.push((point, tags));
            }
        }
        features
    }

    fn number(tags: &HashMap<String, Tag>, key: &str) -> f64 {
        match tags.get(key) {
            Some(Tag::Number(n)) => *n,
            other => panic!("{key}: {other:?}"),
        }
    }

    fn region(n: usize, seed: u64) -> Vec<EventPoint> {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                // Clumps, as real events are: a tenth of them on a few towns.
                let (lon, lat) = if i % 10 == 0 {
                    (36.0 + (i % 3) as f64, 49.0)
                } else {
                    (22.0 + 23.0 * next(), 44.0 + 12.0 * next())
                };
                let kind = EVENT_TYPES[(i * 7) % 14];
                let date = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
                let mut p = point(&format!("e{i}"), lon, lat, kind, &date);
                p.confidence = (i % 10) as f64 / 10.0;
                p.fatalities = (i % 4 == 0).then_some((i % 5) as i64);
                p
            })
            .collect()
    }

    #[test]
    fn every_selected_event_is_counted_once_at_every_zoom() {
        let points = region(5000, 7);
        let index = MapIndex::from_points(&points);
        let selection = Selection {
            event_types: vec!["shelling".to_owned(), "protest".to_owned(), "arrest".to_owned()],
            date_from: Some("2024-03-01".to_owned()),
            min_confidence: Some(0.3),
            ..Selection::default()
        };
        let wanted = points
            .iter()
            .filter(|p| selection.event_types.contains(&p.event_type))
            .filter(|p| p.date.as_str() >= "2024-03-01" && p.confidence >= 0.3)
            .count();
        assert!(wanted > 100, "the selection keeps {wanted}");
        assert_eq!(index.count(&selection), wanted);
        for z in [0u8, 2, 4, 5] {
            let n = 1u32 << z;
            let mut counted = 0.0;
            for x in 0..n {
                for y in 0..n {
                    let tile = index.tile(z, x, y, &selection).unwrap();
                    for ((px, py), tags) in decode(&tile) {
                        assert!(
                            (0..=i64::from(EXTENT)).contains(&px)
                                && (0..=i64::from(EXTENT)).contains(&py)
                        );
                        let count = number(&tags, "count");
                        let by_type: f64 = selection
                            .event_types
                            .iter()
                            .filter_map(|t| tags.get(t))
                            .map(|t| match t {
                                Tag::Number(n) => *n,
                                Tag::Text(_) => 0.0,
                            })
                            .sum();
                        if count > 1.0 {
                            assert_eq!(by_type, count, "a cell's counts by type add up");
                        } else {
                            assert!(
                                matches!(tags.get("id"), Some(Tag::Text(_))),
                                "a cell of one is the event"
                            );
                        }
                        counted += count;
                    }
                }
            }
            assert_eq!(counted as usize, wanted, "zoom {z}");
        }
    }

    #[test]
    fn a_point_tile_carries_each_event_where_it_is() {
        let points = region(3000, 11);
        let index = MapIndex::from_points(&points);
        let by_id: HashMap<&str, &EventPoint> = points.iter().map(|p| (p.id.as_str(), p)).collect();
        // Tiles of zoom 10 and 13 around a few events.
        for p in points.iter().step_by(97) {
            for z in [POINT_ZOOM, 13] {
                let n = f64::from(1u32 << z);
                let (fx, fy) = mercator(p.lon, p.lat);
                let (x, y) = ((fx * n) as u32, (fy * n) as u32);
                let features = decode(&index.tile(z, x, y, &Selection::default()).unwrap());
                let mut found = false;
                for ((px, py), tags) in features {
                    let Some(Tag::Text(id)) = tags.get("id") else { panic!("an event feature") };
                    let event = by_id[id.as_str()];
                    // Its position in the tile is its place, to a unit of the extent.
                    let (ex, ey) = mercator(event.lon, event.lat);
                    let want = (
                        (ex * n - f64::from(x)) * f64::from(EXTENT),
                        (ey * n - f64::from(y)) * f64::from(EXTENT),
                    );
                    assert!(
                        (px as f64 - want.0).abs() <= 1.0 && (py as f64 - want.1).abs() <= 1.0,
                        "{id} at {px},{py}, not {want:?}"
                    );
                    assert_eq!(tags.get("event_type"), Some(&Tag::Text(event.event_type.clone())));
                    assert_eq!(tags.get("date"), Some(&Tag::Text(event.date.clone())));
                    assert_eq!(tags.get("place_name"), Some(&Tag::Text(event.place_name.clone())));
                    assert_eq!(
                        tags.get("fatalities").map(|_| number(&tags, "fatalities") as i64),
                        event.fatalities
                    );
                    assert!((number(&tags, "confidence") - event.confidence).abs() < 1e-6);
                    found |= *id == p.id;
                }
                assert!(found, "{} in its own tile at zoom {z}", p.id);
            }
        }
    }

    #[test]
    fn mercator_round_trips() {
        for (lon, lat) in [(30.5, 50.45), (-179.9, -60.0), (37.8, 48.0)] {
            let (x, y) = mercator(lon, lat);
            let (lon2, lat2) = unmercator(x, y);
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
    }

    #[test]
    fn bad_tiles_are_refused() {
        let index = MapIndex::from_points(&[point("a", 30.0, 50.0, "shelling", "2024-01-01")]);
        assert!(index.tile(23, 0, 0, &Selection::default()).is_none());
        assert!(index.tile(2, 4, 0, &Selection::default()).is_none());
        assert!(index.tile(2, 0, 4, &Selection::default()).is_none());
        assert!(index.tile(0, 0, 0, &Selection::default()).is_some());
    }

    #[test]
    fn selection_counts_dates_types_and_confidence() {
        let mut points = vec![
            point("a", 30.0, 50.0, "shelling", "2024-01-01"),
            point("b", 30.1, 50.0, "protest", "2024-02-01"),
            point("c", 30.2, 50.0, "shelling", "2024-03-01"),
        ];
        points[2].confidence = 0.3;
        let index = MapIndex::from_points(&points);
        assert_eq!(index.count(&Selection::default()), 3);
        let types = Selection { event_types: vec!["shelling".to_owned()], ..Selection::default() };
        assert_eq!(index.count(&types), 2);
        let dates = Selection { date_from: Some("2024-01-15".to_owned()), ..Selection::default() };
        assert_eq!(index.count(&dates), 2);
        let confident = Selection { min_confidence: Some(0.5), ..Selection::default() };
        assert_eq!(index.count(&confident), 2);
    }
}
