-- Passkeys: a family member signs in with the phone's fingerprint, face or
-- screen lock. The store keeps the public key only.
CREATE TABLE passkeys (
    -- the credential id, hex
    id            TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL REFERENCES members(id),
    -- the user handle the authenticator returns (a UUID made for the member)
    user_handle   TEXT NOT NULL,
    -- the passkey as webauthn-rs stores it (public key, counter)
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_member ON passkeys (member_id);

-- A registration or sign-in in progress, between its two requests.
CREATE TABLE passkey_ceremonies (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('register', 'sign_in')),
    member_id   TEXT REFERENCES members(id),
    state       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
