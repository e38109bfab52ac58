// Package portal is Onramp's reference account service: contracts, users,
// roles and benefits, designated callers, seats, sign-in with rotating
// tokens, an outbox of emails, the signed catalog and the package store,
// over JSON under /api/v1. Its store is one concrete type, SQLStore, on
// SQLite (one process) or PostgreSQL (several replicas).
// It runs on its own (cmd/portal) and embedded in the assistant for the
// demo and the tests. It never imports ui or fyne.io.
package portal
