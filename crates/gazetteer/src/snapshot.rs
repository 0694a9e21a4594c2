//! The snapshot format: the built gazetteer as one little-endian binary file that loads
//! without re-parsing sources or rebuilding the index.
//!
//! Layout: magic `BWGAZ`, format version, then places, the name pool, the index arrays and
//! the common-word hashes, each prefixed by its length. Any mismatch is `Error::Corrupt`.

use std::io::{Read, Write};

use compact_str::CompactString;

use crate::index::{NameIndex, Packed};
use crate::{CountryCode, Error, Gazetteer, NamePool, Place, PlaceKind, Result};

const MAGIC: &[u8; 5] = b"BWGAZ";
const VERSION: u32 = 5;

impl Gazetteer {
    /// Writes the snapshot that [`Gazetteer::from_reader`] loads.
    pub fn write_snapshot(&self, mut out: impl Write) -> Result<()> {
        let mut buf = Vec::with_capacity(64 << 20);
        buf.extend_from_slice(MAGIC);
        put_u32(&mut buf, VERSION);
        put_len(&mut buf, self.places.len());
        for place in &self.places {
            put_u32(&mut buf, place.geonameid.unwrap_or(0));
            put_str(&mut buf, place.curated_id.as_deref().unwrap_or(""));
            put_str(&mut buf, &place.name);
            buf.extend_from_slice(&place.lon.to_le_bytes());
            buf.extend_from_slice(&place.lat.to_le_bytes());
            buf.extend_from_slice(&place.country.to_bytes());
            put_str(&mut buf, &place.admin1);
            put_str(&mut buf, &place.admin2);
            buf.push(u8::try_from(place.feature_class).ok().filter(u8::is_ascii).unwrap_or(b'?'));
            put_str(&mut buf, &place.feature_code);
            buf.extend_from_slice(&place.population.to_le_bytes());
            buf.push(place.kind.to_byte());
        }
        put_len(&mut buf, self.pool.text.len());
        buf.extend_from_slice(&self.pool.text);
        put_len(&mut buf, self.pool.starts.len());
        for &start in &self.pool.starts {
            put_u32(&mut buf, start);
        }
        put_len(&mut buf, self.index.entries.len());
        for entry in &self.index.entries {
            buf.extend_from_slice(&entry.hash.to_le_bytes());
            put_u32(&mut buf, entry.place);
            put_u32(&mut buf, entry.name_role);
        }
        let mut units: Vec<(&CompactString, &CompactString)> = self.units.iter().collect();
        units.sort_unstable();
        put_len(&mut buf, units.len());
        for (code, name) in units {
            put_str(&mut buf, code);
            put_str(&mut buf, name);
        }
        put_len(&mut buf, self.katottg.len());
        for &(place, digits) in &self.katottg {
            put_u32(&mut buf, place);
            buf.extend_from_slice(&digits.to_le_bytes());
        }
        put_len(&mut buf, self.full_countries.len());
        for country in &self.full_countries {
            buf.extend_from_slice(&country.to_bytes());
        }
        let mut common_words: Vec<u64> = self.common_words.iter().copied().collect();
        common_words.sort_unstable();
        put_len(&mut buf, common_words.len());
        for &hash in &common_words {
            buf.extend_from_slice(&hash.to_le_bytes());
        }
        out.write_all(&buf)?;
        out.flush()?;
        Ok(())
    }

    /// Loads a snapshot written by [`Gazetteer::write_snapshot`].
    pub fn from_reader(mut reader: impl Read) -> Result<Gazetteer> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let mut cursor = Cursor { bytes: &bytes, at: 0 };
        if cursor.take(MAGIC.len())? != MAGIC {
            return Err(corrupt("not a borderwatch gazetteer snapshot"));
        }
        let version = cursor.u32()?;
        if version != VERSION {
            return Err(corrupt(&format!(
                "format version {version}, expected {VERSION}; rebuild the gazetteer"
            )));
        }
        let n_places = cursor.len()?;
        let mut places = Vec::with_capacity(n_places.min(10_000_000));
        for _ in 0..n_places {
            let geonameid = cursor.u32()?;
            let curated_id = cursor.string()?;
            let name = cursor.string()?;
            let lon = f64::from_le_bytes(cursor.array()?);
            let lat = f64::from_le_bytes(cursor.array()?);
            let country = CountryCode::from_bytes(cursor.array()?);
            let admin1 = cursor.string()?;
            let admin2 = cursor.string()?;
            let feature_class = char::from(cursor.take(1)?[0]);
            let feature_code = cursor.string()?;
            let population = u64::from_le_bytes(cursor.array()?);
            let kind = PlaceKind::from_byte(cursor.take(1)?[0])
                .ok_or_else(|| corrupt("unknown place kind"))?;
            places.push(Place {
                geonameid: (geonameid != 0).then_some(geonameid),
                curated_id: (!curated_id.is_empty()).then_some(curated_id),
                name,
                lon,
                lat,
                country,
                admin1,
                admin2,
                feature_class,
                feature_code,
                population,
                kind,
            });
        }
        let n_text = cursor.len()?;
        let text = cursor.take(n_text)?.to_vec();
        let n_starts = cursor.len()?;
        let starts = cursor.u32s(n_starts)?;
        if starts.iter().any(|&start| start as usize > text.len()) {
            return Err(corrupt("name offsets past the end of the pool"));
        }
        let pool = NamePool { text, starts };
        let n_entries = cursor.len()?;
        let raw =
            cursor.take(n_entries.checked_mul(16).ok_or_else(|| corrupt("length overflows"))?)?;
        let entries: Vec<Packed> = raw
            .chunks_exact(16)
            .map(|chunk| {
                let mut hash = [0u8; 8];
                hash.copy_from_slice(&chunk[..8]);
                Packed {
                    hash: u64::from_le_bytes(hash),
                    place: u32::from_le_bytes([chunk[8], chunk[9], chunk[10], chunk[11]]),
                    name_role: u32::from_le_bytes([chunk[12], chunk[13], chunk[14], chunk[15]]),
                }
            })
            .collect();
        if entries.iter().any(|entry| entry.place as usize >= places.len()) {
            return Err(corrupt("index entry points past the place table"));
        }
        if entries.iter().any(|entry| entry.name() as usize >= pool.starts.len()) {
            return Err(corrupt("index entry points past the name pool"));
        }
        let index = NameIndex::from_entries(entries)
            .ok_or_else(|| corrupt("index entries are unsorted or invalid"))?;
        let n_units = cursor.len()?;
        let mut units = std::collections::HashMap::with_capacity(n_units.min(100_000));
        for _ in 0..n_units {
            let code = cursor.string()?;
            let name = cursor.string()?;
            units.insert(code, name);
        }
        let n_katottg = cursor.len()?;
        let mut katottg = Vec::with_capacity(n_katottg.min(1_000_000));
        for _ in 0..n_katottg {
            let place = cursor.u32()?;
            let digits = u64::from_le_bytes(cursor.array()?);
            if place as usize >= n_places {
                return Err(corrupt("KATOTTG code of a place past the place table"));
            }
            katottg.push((place, digits));
        }
        if !katottg.is_sorted_by_key(|&(place, _)| place) {
            return Err(corrupt("KATOTTG codes unsorted"));
        }
        let n_full = cursor.len()?;
        let mut full_countries = Vec::with_capacity(n_full.min(300));
        for _ in 0..n_full {
            full_countries.push(CountryCode::from_bytes(cursor.array()?));
        }
        let n_words = cursor.len()?;
        let common_words = cursor.u64s(n_words)?;
        if cursor.at != bytes.len() {
            return Err(corrupt("trailing bytes after the snapshot"));
        }
        let mut gazetteer = Gazetteer::assemble(places, pool, index, common_words);
        gazetteer.units = units;
        gazetteer.full_countries = full_countries;
        gazetteer.katottg = katottg;
        Ok(gazetteer)
    }
}

fn corrupt(reason: &str) -> Error {
    Error::Corrupt { reason: reason.to_owned() }
}

fn put_u32(buf: &mut Vec<u8>, value: u32) {
    buf.extend_from_slice(&value.to_le_bytes());
}

fn put_len(buf: &mut Vec<u8>, len: usize) {
    buf.extend_from_slice(&(len as u64).to_le_bytes());
}

fn put_str(buf: &mut Vec<u8>, text: &str) {
    put_len(buf, text.len());
    buf.extend_from_slice(text.as_bytes());
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| corrupt("truncated"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let slice = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn len(&mut self) -> Result<usize> {
        let len = u64::from_le_bytes(self.array()?);
        let len = usize::try_from(len).map_err(|_| corrupt("length overflows"))?;
        if len > self.bytes.len() {
            return Err(corrupt("length larger than the file"));
        }
        Ok(len)
    }

    fn string(&mut self) -> Result<CompactString> {
        let len = self.len()?;
        let slice = self.take(len)?;
        let text = std::str::from_utf8(slice).map_err(|_| corrupt("string is not UTF-8"))?;
        Ok(CompactString::from(text))
    }

    fn u32s(&mut self, n: usize) -> Result<Vec<u32>> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| corrupt("length overflows"))?)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|chunk| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect())
    }

    fn u64s(&mut self, n: usize) -> Result<Vec<u64>> {
        let bytes = self.take(n.checked_mul(8).ok_or_else(|| corrupt("length overflows"))?)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                u64::from_le_bytes(word)
            })
            .collect())
    }
}
