-- The administrator's additions to the working calendar: for each year, the
-- first day of Kurban Ait and the Government's transfers of days off. They
-- take precedence over the calendar shipped with the program.

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    rules       TEXT NOT NULL,   -- JSON: {"kurban_ait": "YYYY-MM-DD", "transfers": [...]}
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER NOT NULL REFERENCES users(id)
);
