"""What the portal runs on and reaches out to: the mail outbox and SMTP, backups, rate limits, logging, the audit
log's hash chain and its linker, postcode lookup, password hashing and one-time codes. Neither door's code, and no
rule: the data layer and both doors call it."""
