-- The preschool queue: kindergartens and their groups, declared free places,
-- each child's queue entry with its preferences, every change of a child's
-- number with its cause, distributions and referrals.

CREATE TABLE kindergartens (
    id INTEGER PRIMARY KEY,
    name_kk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    address_kk TEXT NOT NULL,
    address_ru TEXT NOT NULL,
    ownership TEXT NOT NULL CHECK (ownership IN ('state', 'private')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);

CREATE TABLE kindergarten_groups (
    id INTEGER PRIMARY KEY,
    kindergarten_id INTEGER NOT NULL REFERENCES kindergartens(id),
    name TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('kk', 'ru', 'mixed')),
    special INTEGER NOT NULL DEFAULT 0 CHECK (special IN (0, 1)),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    occupied INTEGER NOT NULL DEFAULT 0 CHECK (occupied >= 0 AND occupied <= capacity)
);
CREATE INDEX kindergarten_groups_kindergarten ON kindergarten_groups(kindergarten_id);

-- A declaration of free places by an executor, with its protocol; each
-- place is then a row of its own, so that no place is handed out off the books.
CREATE TABLE place_declarations (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES kindergarten_groups(id),
    count INTEGER NOT NULL CHECK (count > 0),
    protocol TEXT NOT NULL,
    declared_by INTEGER NOT NULL REFERENCES users(id),
    declared_at TEXT NOT NULL
);

CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES kindergarten_groups(id),
    declaration_id INTEGER NOT NULL REFERENCES place_declarations(id),
    state TEXT NOT NULL CHECK (state IN ('free', 'held', 'filled'))
);
CREATE INDEX places_group_state ON places(group_id, state);

CREATE TABLE queue_entries (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id),
    child_iin TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    -- The application's registration moment, office local time; never changes.
    queued_at TEXT NOT NULL,
    category TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('extraordinary', 'first', 'general')),
    evidence_document TEXT,
    evidence_issued_on TEXT,
    evidence_until TEXT,
    confirmed_by INTEGER REFERENCES users(id),
    confirmed_at TEXT,
    desired_start TEXT,
    commission_decision TEXT,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'referred', 'stop_listed', 'enrolled', 'removed')),
    stop_until TEXT,
    position INTEGER
);
-- A child is queued once while waiting, referred or stop-listed.
CREATE UNIQUE INDEX queue_entries_live_child ON queue_entries(child_iin)
    WHERE state IN ('waiting', 'referred', 'stop_listed');
CREATE INDEX queue_entries_year_state ON queue_entries(birth_year, state);
-- The office clock's sweep runs before every queue read: what it looks for
-- (a stop list ending, priority evidence lapsing) must not cost a scan.
CREATE INDEX queue_entries_stop ON queue_entries(state, stop_until) WHERE state = 'stop_listed';
CREATE INDEX queue_entries_evidence ON queue_entries(evidence_until) WHERE tier <> 'general';

CREATE TABLE queue_preferences (
    application_id INTEGER NOT NULL REFERENCES queue_entries(application_id),
    rank INTEGER NOT NULL,
    kindergarten_id INTEGER NOT NULL REFERENCES kindergartens(id),
    PRIMARY KEY (application_id, rank)
);

CREATE TABLE distributions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    referrals INTEGER NOT NULL
);

-- Why a child's number changed: `subject_id` is the application whose event
-- moved it (the child itself for its own events); a distribution, which
-- moves many children at once, is named by `distribution_id` (with the child
-- itself as subject for the children it gave a referral).
CREATE TABLE position_changes (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    at TEXT NOT NULL,
    from_position INTEGER,
    to_position INTEGER,
    cause TEXT NOT NULL,
    subject_id INTEGER REFERENCES applications(id),
    distribution_id INTEGER REFERENCES distributions(id),
    CHECK (subject_id IS NOT NULL OR distribution_id IS NOT NULL)
);
CREATE INDEX position_changes_application ON position_changes(application_id, id);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    place_id INTEGER NOT NULL REFERENCES places(id),
    distribution_id INTEGER REFERENCES distributions(id),
    issued_at TEXT NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users(id),
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'presented', 'enrolled', 'expired', 'refused_by_parent', 'cancelled')),
    status_at TEXT NOT NULL,
    status_by INTEGER REFERENCES users(id),
    reason TEXT
);
CREATE UNIQUE INDEX referrals_live_child ON referrals(application_id) WHERE status IN ('issued', 'presented');
CREATE UNIQUE INDEX referrals_live_place ON referrals(place_id) WHERE status IN ('issued', 'presented');
CREATE INDEX referrals_status ON referrals(status, valid_until);
