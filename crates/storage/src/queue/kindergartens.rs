//! Kindergartens, their groups, and the free places an executor declares.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::queue::{Group, Kindergarten, Places};
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use super::event;
use crate::sql::{args, FromRow, Row};
use crate::{timestamp, Registry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRecord {
    pub id: i64,
    pub name: String,
    pub birth_year: i32,
    pub language: String,
    pub special: bool,
    pub capacity: i64,
    pub occupied: i64,
    /// Declared and not yet given out.
    pub free: i64,
    /// Held by a live referral.
    pub held: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindergartenRecord {
    pub id: i64,
    pub name: Bilingual,
    pub address: Bilingual,
    pub ownership: String,
    pub groups: Vec<GroupRecord>,
}

impl FromRow for GroupRecord {
    fn from_row(r: &Row) -> Result<GroupRecord, Error> {
        Ok(GroupRecord {
            id: r.get("id")?,
            name: r.get("name")?,
            birth_year: r.get("birth_year")?,
            language: r.get("language")?,
            special: r.get("special")?,
            capacity: r.get("capacity")?,
            occupied: r.get("occupied")?,
            free: r.get("free")?,
            held: r.get("held")?,
        })
    }
}

impl FromRow for KindergartenRecord {
    fn from_row(r: &Row) -> Result<KindergartenRecord, Error> {
        Ok(KindergartenRecord {
            id: r.get("id")?,
            name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
            address: Bilingual::new(r.get::<String>("address_kk")?, r.get::<String>("address_ru")?),
            ownership: r.get("ownership")?,
            groups: Vec::new(),
        })
    }
}

impl Registry {
    pub fn kindergartens(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<KindergartenRecord>, Error> {
        let at = timestamp(now);
        if authorize(actor, Action::ManageKindergartens, None).is_err() {
            self.authorize_plain(actor, Action::ViewQueue, "kindergartens", &at)?;
        }
        let mut out: Vec<KindergartenRecord> = self.db.query_as(
            "SELECT id, name_kk, name_ru, address_kk, address_ru, ownership FROM kindergartens WHERE active = 1
             ORDER BY name_kk, id",
            args![],
        )?;
        let groups = self.db.query(
            "SELECT g.id, g.kindergarten_id, g.name, g.birth_year, g.language, g.special, g.capacity, g.occupied,
                    (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state = 'free') AS free,
                    (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state = 'held') AS held
             FROM kindergarten_groups g ORDER BY g.birth_year DESC, g.name, g.id",
            args![],
        )?;
        for r in &groups {
            let kindergarten: i64 = r.get("kindergarten_id")?;
            if let Some(k) = out.iter_mut().find(|k| k.id == kindergarten) {
                k.groups.push(GroupRecord::from_row(r)?);
            }
        }
        Ok(out)
    }

    pub fn add_kindergarten(
        &mut self,
        actor: &Actor,
        k: &Kindergarten,
        now: DateTime<FixedOffset>,
    ) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageKindergartens, "add_kindergarten", &at)?;
        self.db.audited(&at, |tx| {
            let id: i64 = tx.value(
                "INSERT INTO kindergartens (name_kk, name_ru, address_kk, address_ru, ownership, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![k.name.kk, k.name.ru, k.address.kk, k.address.ru, k.ownership, at],
            )?;
            let after = serde_json::json!({"id": id, "kindergarten": k});
            Ok((id, event("add_kindergarten", "kindergarten", Some(actor.user_id), role, after)))
        })
    }

    pub fn add_group(&mut self, actor: &Actor, g: &Group, now: DateTime<FixedOffset>) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageKindergartens, "add_group", &at)?;
        self.db.audited(&at, |tx| {
            let exists = tx
                .query_opt(
                    "SELECT 1 AS found FROM kindergartens WHERE id = ?1 AND active = 1",
                    args![g.kindergarten_id],
                )?
                .is_some();
            if !exists {
                return Err(Error::UnknownKindergarten);
            }
            let id: i64 = tx.value(
                "INSERT INTO kindergarten_groups (kindergarten_id, name, birth_year, language, special, capacity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![g.kindergarten_id, g.name, g.birth_year, g.language, g.special, g.capacity],
            )?;
            let after = serde_json::json!({"id": id, "group": g});
            Ok((id, event("add_group", "kindergarten_group", Some(actor.user_id), role, after)))
        })
    }

    /// Declares free places in a group. The group can never show more places
    /// than its capacity: occupied + held + free ≤ capacity.
    pub fn declare_places(&mut self, actor: &Actor, p: &Places, now: DateTime<FixedOffset>) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageQueue, "declare_places", &at)?;
        self.db.audited(&at, |tx| {
            let room: i64 = tx
                .value_opt(
                    "SELECT g.capacity - g.occupied
                            - (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state <> 'filled') AS room
                     FROM kindergarten_groups g JOIN kindergartens k ON k.id = g.kindergarten_id
                     WHERE g.id = ?1 AND k.active = 1",
                    args![p.group_id],
                )?
                .ok_or(Error::UnknownKindergarten)?;
            if p.count > room {
                return Err(Error::PlacesExceedCapacity { free: room.max(0) });
            }
            let id: i64 = tx.value(
                "INSERT INTO place_declarations (group_id, count, protocol, declared_by, declared_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                args![p.group_id, p.count, p.protocol, actor.user_id, at],
            )?;
            for _ in 0..p.count {
                tx.execute(
                    "INSERT INTO places (group_id, declaration_id, state) VALUES (?1, ?2, 'free')",
                    args![p.group_id, id],
                )?;
            }
            let after = serde_json::json!({"id": id, "places": p});
            Ok((id, event("declare_places", "place_declaration", Some(actor.user_id), role, after)))
        })
    }
}
