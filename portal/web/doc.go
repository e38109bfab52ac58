// Package web serves the account service (package portal) over HTTP: the
// JSON API under /api/v1, one file per resource (sessions.go, users.go,
// seats.go, …), the web pages for people (start, lost password, email
// change, help), the release downloads, the server with its connection and
// request limits, and the demo service on loopback. It decodes requests,
// calls portal.Service and writes its answers and errors as JSON and RFC
// 9457 problem documents; the business rules stay in portal.
// cmd/portal serves it; the demo, the benchmarks and the front ends' tests
// start it.
package web
