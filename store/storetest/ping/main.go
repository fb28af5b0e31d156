// Command ping checks that the tests' PostgreSQL answers (see package
// storetest), for CI to fail early and clearly when it does not.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"vigil/store/storetest"
)

func main() {
	db, err := sql.Open("pgx", storetest.DSN())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ping: PostgreSQL at $VIGIL_TEST_POSTGRES: %v\n", err)
		os.Exit(1)
	}
}
