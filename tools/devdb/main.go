// Command devdb runs FerretDB v1 with its SQLite backend on a loopback port: the
// MongoDB-compatible development and test database of DisTrack Functions.
//
// Build it with `python -m tracking.host.devdb build`, not a bare `go build`: that build applies the
// FerretDB fixes of patches/*.diff and records them in the variable patched.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the SQLite driver FerretDB uses, for the WAL checkpoints below
)

// patched lists the diffs of patches/ applied to FerretDB (set with -ldflags -X by tracking/host/devdb.py).
var patched string

const (
	// How long a write waits for the write lock. SQLite's busy handler polls rather than queues, so
	// with 16 writers on a loaded machine FerretDB's 10 s let a few writes fail "database is locked".
	busyTimeoutMS = 30000
	// A WAL is truncated back to this size whenever SQLite restarts it (FerretDB sets no limit).
	journalSizeLimit = 64 << 20
	// A WAL bigger than this gets a TRUNCATE checkpoint: under steady concurrent reads SQLite never
	// finds a moment to restart it by itself, and it grew past 380 MB for a 1 MB database.
	checkpointAbove = 32 << 20
	checkpointEvery = 5 * time.Second
	// How long a checkpoint may wait for readers and hold off writers (theirs is 10 s).
	checkpointBusyMS = 1000
)

func main() {
	addr := flag.String("listen", "127.0.0.1:27017", "loopback host:port to listen on")
	dataDir := flag.String("data", ".data/devdb", "directory that holds the SQLite files")
	flag.Parse()

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *addr},
		Logger:   logger,
		Handler:  "sqlite",
		// FerretDB adds journal_mode(wal) and auto_vacuum(none) to these, and busy_timeout(10000) unless set.
		SQLiteURL: fmt.Sprintf(
			"file:%s/?_pragma=busy_timeout(%d)&_pragma=journal_size_limit(%d)", dir, busyTimeoutMS, journalSizeLimit,
		),
	})
	if err != nil {
		fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if patched == "" {
		logger.Warn("devdb: built without patches/; concurrent multi-statement updates can deadlock")
	}
	go checkpointLargeWALs(ctx, dir, logger)

	fmt.Fprintf(os.Stderr, "devdb: listening on %s, data in %s\n", *addr, dir)
	if err := db.Run(ctx); err != nil && ctx.Err() == nil {
		fail(err)
	}
}

// checkpointLargeWALs keeps every database's write-ahead log bounded until ctx ends.
func checkpointLargeWALs(ctx context.Context, dir string, logger *slog.Logger) {
	ticker := time.NewTicker(checkpointEvery)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}

		files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		if err != nil {
			logger.Warn("devdb: listing databases", slog.String("error", err.Error()))
			continue
		}
		for _, file := range files {
			// Only large logs: the test suite drops databases all the time, and a connection of ours
			// that outlived a dropped database would be one more thing to go wrong.
			if info, err := os.Stat(file + "-wal"); err != nil || info.Size() <= checkpointAbove {
				continue
			}
			if err := checkpoint(ctx, file); err != nil {
				logger.Warn("devdb: WAL checkpoint", slog.String("file", file), slog.String("error", err.Error()))
			}
		}
	}
}

// checkpoint copies the WAL of file into the database and truncates it, if the readers let it in time.
func checkpoint(ctx context.Context, file string) error {
	// mode=rw: never create a database that was dropped since it was listed.
	uri := fmt.Sprintf("file:%s?mode=rw&_pragma=busy_timeout(%d)", file, checkpointBusyMS)
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	defer db.Close()

	// busy = 1 means readers or a writer held on past the timeout; the next tick tries again.
	var busy, logFrames, checkpointed int
	return db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devdb:", err)
	os.Exit(1)
}
