"""Receiving mail over SMTP: the session handler, AUTH, and the replies it sends."""
