-- Issue 15: sessions.session_token now holds the SHA-256 of the cookie value. Rows written
-- before hold the cookie value itself, which no lookup can match any more: they are deleted,
-- and everyone signs in once again.
DELETE FROM "sessions";
