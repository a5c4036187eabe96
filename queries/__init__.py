"""The domain: rules and access, as plain functions (a session, the asker, arguments → results)."""
