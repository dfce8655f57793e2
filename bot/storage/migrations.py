"""Numbered schema migrations; the list index + 1 is the version kept in PRAGMA user_version.

Append only: never edit a migration that has shipped, add a new one.
Telegram ids live in `people` only; every other table refers to people by internal id.
"""

MIGRATIONS: list[str] = [
    # 1 — people, conversations, submissions
    """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER UNIQUE,
        language TEXT,
        language_chosen INTEGER NOT NULL DEFAULT 0,
        pseudonym TEXT NOT NULL UNIQUE,
        step_counter INTEGER NOT NULL DEFAULT 0,
        prompt_message_id INTEGER,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        run_id TEXT NOT NULL UNIQUE,
        flow TEXT NOT NULL,
        step TEXT NOT NULL,
        answers TEXT NOT NULL,
        history TEXT NOT NULL,
        revision INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (person_id, flow)
    );
    CREATE UNIQUE INDEX one_active_conversation ON conversations(person_id)
        WHERE status = 'active';
    CREATE TABLE handled_updates (
        update_id INTEGER PRIMARY KEY,
        handled_at TEXT NOT NULL
    );
    CREATE TABLE reference_counters (
        prefix TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (prefix, year)
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        speaker TEXT NOT NULL DEFAULT 'usager',
        theme TEXT,
        establishment TEXT,
        body_text TEXT,
        voice_file_id TEXT,
        voice_duration INTEGER,
        sharing TEXT NOT NULL CHECK (sharing IN ('anonymous', 'pseudonymous', 'named')),
        language TEXT NOT NULL,
        status TEXT NOT NULL,
        origin_run TEXT UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE INDEX submissions_author ON submissions(author_id);
    CREATE TABLE submission_events (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        actor_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        detail TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX submission_events_submission ON submission_events(submission_id);
    CREATE TABLE pending_replies (
        update_id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX pending_replies_person ON pending_replies(person_id)
    """,
    # 2 — what réclamations, idées and relayed words need
    """
    ALTER TABLE submissions ADD COLUMN event_date TEXT;
    ALTER TABLE submissions ADD COLUMN author_name TEXT;
    ALTER TABLE submissions ADD COLUMN details TEXT
    """,
    # 3 — the crisis safety net fired: when and which categories, never the text
    """
    CREATE TABLE safety_events (
        id INTEGER PRIMARY KEY,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        categories TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX safety_events_person ON safety_events(person_id, at)
    """,
    # 4 — roles given by one-time invites, an audit log, relayed words and their consent
    """
    CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        body_id TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by INTEGER REFERENCES people(id) ON DELETE SET NULL
    );
    CREATE TABLE roles (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        body_id TEXT,
        granted_at TEXT NOT NULL,
        revoked_at TEXT,
        invite_code TEXT REFERENCES invites(code)
    );
    CREATE INDEX roles_person ON roles(person_id);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        action TEXT NOT NULL,
        detail TEXT
    );
    CREATE TABLE consent_requests (
        code TEXT PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        helper_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        answered_at TEXT,
        answer TEXT
    );
    ALTER TABLE submissions ADD COLUMN relayed_by INTEGER REFERENCES people(id) ON DELETE SET NULL;
    ALTER TABLE submissions ADD COLUMN relayed_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL
    """,
    # 5 — cases held by bodies, group chats linked to bodies, the outbox of owed messages
    """
    ALTER TABLE people ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        body_id TEXT NOT NULL,
        status TEXT NOT NULL,
        taken_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        outcome TEXT,
        meeting_date TEXT,
        forwarded_from INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        first_action_at TEXT,
        taken_at TEXT,
        answered_at TEXT,
        closed_at TEXT,
        overdue_level INTEGER NOT NULL DEFAULT 0,
        overdue_at TEXT,
        followup_at TEXT,
        followup_answer TEXT,
        UNIQUE (submission_id, body_id)
    );
    CREATE INDEX cases_body ON cases(body_id, status);
    CREATE TABLE body_chats (
        body_id TEXT PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        linked_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        linked_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        recipient_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        unknown_attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        message_id INTEGER,
        error TEXT
    );
    CREATE INDEX outbox_due ON outbox(status, not_before);
    CREATE INDEX outbox_recipient ON outbox(recipient_id, status);
    DROP TABLE pending_replies
    """,
    # 6 — meetings (one-off, or occurrences of a series), subscriptions to a body's meetings,
    # reminder preferences, reminders and notices sent (exactly once), RSVPs, minutes, digests
    """
    CREATE TABLE meeting_series (
        id INTEGER PRIMARY KEY,
        body_id TEXT NOT NULL,
        territory_key TEXT UNIQUE,
        rule TEXT NOT NULL,
        first_start TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL,
        details TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        body_id TEXT NOT NULL,
        series_id INTEGER REFERENCES meeting_series(id) ON DELETE SET NULL,
        occurrence TEXT,
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        place TEXT,
        access TEXT,
        online_url TEXT,
        helper TEXT,
        agenda TEXT,
        status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        sequence INTEGER NOT NULL DEFAULT 0,
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (series_id, occurrence)
    );
    CREATE INDEX meetings_upcoming ON meetings(status, starts_at);
    CREATE INDEX meetings_body ON meetings(body_id, starts_at);
    CREATE TABLE subscriptions (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        body_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (person_id, body_id)
    );
    CREATE INDEX subscriptions_body ON subscriptions(body_id);
    CREATE TABLE reminder_prefs (
        person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
        offsets TEXT NOT NULL,
        muted INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE reminders_sent (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, person_id, name, starts_at)
    );
    CREATE TABLE rsvps (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'help')),
        help TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, person_id)
    );
    CREATE TABLE minutes (
        id INTEGER PRIMARY KEY,
        body_id TEXT NOT NULL,
        meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        first_text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'draft'
            CHECK (status IN ('draft', 'published', 'validated')),
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        published_at TEXT,
        validated_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        validated_at TEXT
    );
    CREATE TABLE minutes_cases (
        minutes_id INTEGER NOT NULL REFERENCES minutes(id) ON DELETE CASCADE,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        done TEXT,
        told_at TEXT,
        PRIMARY KEY (minutes_id, case_id)
    );
    CREATE TABLE digests_sent (
        body_id TEXT NOT NULL,
        week TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (body_id, week)
    )
    """,
    # 7 — the safety net has two levels and names the warning signs it saw (never the text)
    """
    ALTER TABLE safety_events ADD COLUMN level TEXT NOT NULL DEFAULT 'full';
    ALTER TABLE safety_events ADD COLUMN signs TEXT NOT NULL DEFAULT ''
    """,
]
