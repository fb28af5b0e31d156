package store

import "testing"

func TestForDialect(t *testing.T) {
	sql := "CREATE TABLE a (x BIGINT);\n-- dialect: sqlite\nCREATE TRIGGER s;\n-- dialect: postgres\nCREATE FUNCTION p;\n-- dialect: all\nCREATE TABLE b (y BIGINT);"
	for dialect, want := range map[string]string{
		"sqlite":   "CREATE TABLE a (x BIGINT);\n-- dialect: sqlite\nCREATE TRIGGER s;\n\n\n-- dialect: all\nCREATE TABLE b (y BIGINT);",
		"postgres": "CREATE TABLE a (x BIGINT);\n\n\n-- dialect: postgres\nCREATE FUNCTION p;\n-- dialect: all\nCREATE TABLE b (y BIGINT);",
	} {
		if got := forDialect(sql, dialect); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", dialect, got, want)
		}
	}
}
