// Package portal is Onramp's reference account service: contracts, users,
// roles and benefits, designated callers, seats, sign-in with rotating
// tokens, an outbox of emails, the signed catalog and the package store.
// Its store is one concrete type, SQLStore, on SQLite (one process) or
// PostgreSQL (several replicas). Service holds the business rules and
// serves nothing itself: package portal/web puts it on HTTP (JSON under
// /api/v1 and the web pages).
// It runs on its own (cmd/portal) and embedded in the assistant for the
// demo and the tests. It never imports ui or fyne.io.
package portal
