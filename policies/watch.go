package policies

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// settle is how long Watch waits after the last file event before reloading:
// editors save in several steps (truncate+write, or write temp+rename), and
// reading in the middle would log a spurious error.
const settle = 150 * time.Millisecond

// Watch reloads on file changes (fsnotify on the directory, so editors that rename files work) and on SIGHUP until ctx ends; reload errors go to the logger, the old policy stays.
func (e *Enforcer) Watch(ctx context.Context, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	// SIGHUP is caught even with the embedded defaults: its default action
	// would kill the server, which is never what "reload" means.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var events <-chan fsnotify.Event
	var errs <-chan error
	if e.dir != "" {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			return fmt.Errorf("policies: watch %s: %w", e.dir, err)
		}
		defer w.Close()
		// The directory, not the files: a rename-into-place replaces the
		// inode, and a watch on the old file would go quiet.
		if err := w.Add(e.dir); err != nil {
			return fmt.Errorf("policies: watch %s: %w", e.dir, err)
		}
		events, errs = w.Events, w.Errors
	}
	log.Info("policies: watching for changes", "dir", e.dir, "rules", e.Rules())

	var timer *time.Timer
	var settled <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if !relevant(ev) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(settle)
			} else {
				timer.Reset(settle)
			}
			settled = timer.C
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log.Warn("policies: file watcher error", "dir", e.dir, "err", err)
		case <-settled:
			settled = nil
			e.reloadAndLog(log, "file change")
		case <-hup:
			e.reloadAndLog(log, "SIGHUP")
		}
	}
}

// relevant keeps the events that may change what Load would read: our two
// files, and Kubernetes ConfigMap mounts, which swap a "..data" symlink
// rather than touching the files.
func relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	switch filepath.Base(ev.Name) {
	case ModelFile, PolicyFile, "..data":
		return true
	}
	return false
}

func (e *Enforcer) reloadAndLog(log *slog.Logger, trigger string) {
	changed, err := e.reload()
	switch {
	case err != nil:
		log.Error("policies: reload refused, previous policy kept", "trigger", trigger, "err", err)
	case changed:
		log.Info("policies: reloaded", "trigger", trigger, "rules", e.Rules())
	default:
		log.Debug("policies: unchanged", "trigger", trigger)
	}
}
