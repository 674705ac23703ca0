-- Onsplan's initial schema. Portable SQL: it runs unchanged on SQLite and
-- PostgreSQL. Ids are random text; instants are unix seconds (BIGINT);
-- calendar days are 'YYYY-MM-DD' text; flags are 0/1 BIGINT.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Staff: coaches, Home-Start volunteers, partner workers.
CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    role           TEXT NOT NULL CHECK (role IN ('coach', 'volunteer', 'partner')),
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    language       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE families (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    -- the name the family chose to be known by, e.g. "Gezin Haddad"
    display_name  TEXT NOT NULL,
    coach_id      TEXT REFERENCES staff(id),
    volunteer_id  TEXT REFERENCES staff(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX families_coach ON families (coach_id);
CREATE INDEX families_volunteer ON families (volunteer_id);

-- One plan per family: the header of the plan.
CREATE TABLE plans (
    family_id        TEXT PRIMARY KEY REFERENCES families(id),
    intensity        TEXT NOT NULL CHECK (intensity IN ('low', 'intensive')),
    next_evaluation  TEXT,
    end_criteria     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('active', 'on_hold', 'ended')),
    hold_reason      TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL
);

-- Adults of the household with an account (they join by invite).
CREATE TABLE members (
    id            TEXT PRIMARY KEY,
    family_id     TEXT NOT NULL REFERENCES families(id),
    display_name  TEXT NOT NULL,
    language      TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX members_family ON members (family_id);

-- One-time invites: the code is stored as a SHA-256 hash.
CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    code_hash   TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL REFERENCES staff(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    used_by     TEXT REFERENCES members(id)
);

-- Server-side sessions: the cookie holds a random token, the table its hash.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('staff', 'member')),
    subject_id    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_subject ON sessions (subject_id);

-- The base mandate: "I want to work with this coach". Live while withdrawn_at is NULL.
CREATE TABLE base_mandates (
    id            TEXT PRIMARY KEY,
    family_id     TEXT NOT NULL REFERENCES families(id),
    coach_id      TEXT NOT NULL REFERENCES staff(id),
    granted_by    TEXT NOT NULL REFERENCES members(id),
    granted_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT,
    withdrawn_by  TEXT REFERENCES members(id)
);
CREATE INDEX base_mandates_family ON base_mandates (family_id, coach_id);

-- Goals, actions and notes of the plan. An action belongs to a goal; a note
-- to a goal or directly to a domain. only_us = 1: seen by the family alone.
CREATE TABLE plan_items (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    kind        TEXT NOT NULL CHECK (kind IN ('goal', 'action', 'note')),
    goal_id     TEXT REFERENCES plan_items(id),
    domain      TEXT NOT NULL,
    body        TEXT NOT NULL,
    who         TEXT,
    due         TEXT,
    status      TEXT,
    only_us     BIGINT NOT NULL DEFAULT 0,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('staff', 'member')),
    author_id   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX plan_items_family ON plan_items (family_id, domain);
CREATE INDEX plan_items_goal ON plan_items (goal_id);

-- Shares: an item or a whole domain, with a recipient, a purpose and an end
-- date (inclusive). Live while withdrawn_at is NULL and until >= today.
CREATE TABLE shares (
    id                  TEXT PRIMARY KEY,
    family_id           TEXT NOT NULL REFERENCES families(id),
    item_id             TEXT REFERENCES plan_items(id),
    domain              TEXT,
    recipient_kind      TEXT NOT NULL CHECK (recipient_kind IN ('person', 'volunteer', 'organisation')),
    recipient_staff_id  TEXT REFERENCES staff(id),
    recipient_org_id    TEXT REFERENCES organisations(id),
    purpose             TEXT NOT NULL,
    until               TEXT NOT NULL,
    granted_by          TEXT NOT NULL REFERENCES members(id),
    granted_at          BIGINT NOT NULL,
    withdrawn_at        BIGINT,
    withdrawn_by        TEXT REFERENCES members(id),
    CHECK ((item_id IS NULL) <> (domain IS NULL))
);
CREATE INDEX shares_family ON shares (family_id);

-- Mandate questions: a coach asks to act on one action.
CREATE TABLE mandates (
    id            TEXT PRIMARY KEY,
    family_id     TEXT NOT NULL REFERENCES families(id),
    action_id     TEXT NOT NULL REFERENCES plan_items(id),
    coach_id      TEXT NOT NULL REFERENCES staff(id),
    what          TEXT NOT NULL,
    counterparty  TEXT NOT NULL,
    facts         TEXT NOT NULL,
    until         TEXT NOT NULL,
    asked_at      BIGINT NOT NULL
);
CREATE INDEX mandates_family ON mandates (family_id);

-- Every answer and withdrawal, in order; the newest row is the current state.
CREATE TABLE mandate_answers (
    id          TEXT PRIMARY KEY,
    mandate_id  TEXT NOT NULL REFERENCES mandates(id),
    answer      TEXT NOT NULL CHECK (answer IN ('for_me', 'together', 'myself', 'withdrawn')),
    member_id   TEXT NOT NULL REFERENCES members(id),
    answered_at BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    UNIQUE (mandate_id, seq)
);

-- Append-only: reads by anyone outside the family, and every consent or
-- mandate change. `items` is a JSON list of [item id, basis] pairs.
CREATE TABLE access_log (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    at          BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'member')),
    actor_id    TEXT NOT NULL,
    event       TEXT NOT NULL,
    subject_id  TEXT,
    items       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX access_log_family ON access_log (family_id, at);

-- When a coach last opened each family (for "answers since my last visit").
CREATE TABLE coach_visits (
    coach_id    TEXT NOT NULL REFERENCES staff(id),
    family_id   TEXT NOT NULL REFERENCES families(id),
    visited_at  BIGINT NOT NULL,
    PRIMARY KEY (coach_id, family_id)
);
