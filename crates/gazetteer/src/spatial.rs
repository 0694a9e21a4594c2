//! Reverse lookup: places nearest to a point, and places within a radius.
//!
//! Points go into an R*-tree as unit vectors on the sphere, where straight-line (chord)
//! distance orders places exactly as great-circle distance does, with no trouble at the
//! antimeridian or the poles. The tree is built on the first reverse query, not at load.

use geo::{Distance, Haversine};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::{Gazetteer, Place, PlaceId};

/// Mean earth radius used to turn chord lengths into meters.
const EARTH_RADIUS_METERS: f64 = 6_371_008.8;

pub(crate) type SpatialIndex = RTree<GeomWithData<[f64; 3], u32>>;

/// A place near a point.
#[derive(Debug, Clone)]
pub struct Nearby<'g> {
    /// Its id.
    pub id: PlaceId,
    /// The place.
    pub place: &'g Place,
    /// Great-circle distance from the query point.
    ///
    /// # Units
    ///
    /// Meters.
    pub meters: f64,
}

fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

impl Gazetteer {
    fn spatial(&self) -> &SpatialIndex {
        self.spatial.get_or_init(|| {
            let points = self
                .places
                .iter()
                .enumerate()
                .map(|(idx, place)| {
                    GeomWithData::new(unit_vector(place.lon, place.lat), idx as u32)
                })
                .collect();
            RTree::bulk_load(points)
        })
    }

    /// The `limit` places nearest to a point, nearest first, optionally keeping only
    /// places that pass `keep`.
    ///
    /// # Units
    ///
    /// `point` is lon/lat in degrees; distances in the result are meters.
    pub fn nearest(
        &self,
        point: geo::Point<f64>,
        limit: usize,
        keep: impl Fn(&Place) -> bool,
    ) -> Vec<Nearby<'_>> {
        if !point.x().is_finite() || !point.y().is_finite() {
            return Vec::new();
        }
        let query = unit_vector(point.x(), point.y());
        self.spatial()
            .nearest_neighbor_iter(&query)
            .filter_map(|item| {
                let place = &self.places[item.data as usize];
                keep(place).then(|| Nearby {
                    id: PlaceId(item.data),
                    place,
                    meters: Haversine.distance(point, place.point()),
                })
            })
            .take(limit)
            .collect()
    }

    /// Every place within `radius_meters` of a point, nearest first.
    ///
    /// # Units
    ///
    /// `point` is lon/lat in degrees; `radius_meters` and the result's distances are meters.
    pub fn within(&self, point: geo::Point<f64>, radius_meters: f64) -> Vec<Nearby<'_>> {
        if !point.x().is_finite()
            || !point.y().is_finite()
            || radius_meters.is_nan()
            || radius_meters < 0.0
        {
            return Vec::new();
        }
        let angle = (radius_meters / EARTH_RADIUS_METERS).min(std::f64::consts::PI);
        let chord = 2.0 * (angle / 2.0).sin();
        let query = unit_vector(point.x(), point.y());
        let mut found: Vec<Nearby<'_>> = self
            .spatial()
            .locate_within_distance(query, chord * chord * (1.0 + 1e-9))
            .map(|item| {
                let place = &self.places[item.data as usize];
                Nearby {
                    id: PlaceId(item.data),
                    place,
                    meters: Haversine.distance(point, place.point()),
                }
            })
            .filter(|nearby| nearby.meters <= radius_meters * (1.0 + 1e-6))
            .collect();
        found.sort_by(|a, b| a.meters.total_cmp(&b.meters));
        found
    }
}
