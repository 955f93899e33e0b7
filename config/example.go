package config

import _ "embed"

// Example is the commented config file that `patrondesk init` writes.
//
//go:embed example.toml
var Example []byte
