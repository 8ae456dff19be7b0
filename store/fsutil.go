package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	dirPerm  = 0o700
	filePerm = 0o600
)

// randomID returns 32 lower-case hex digits of crypto randomness.
func randomID() string {
	var b [16]byte
	rand.Read(b[:]) // never returns an error
	return hex.EncodeToString(b[:])
}

// syncDir makes the entries of directory dir durable: after it returns,
// files created, renamed or removed in dir survive a crash.
func (s *Store) syncDir(dir string) error {
	if s.opts.NoSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// syncFile flushes f to stable storage unless Options.NoSync is set.
func (s *Store) syncFile(f *os.File) error {
	if s.opts.NoSync {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	return nil
}

// writeTemp writes data to a new file in the store's temporary directory,
// flushes it and returns its path. The caller renames it into place (the
// commit) or removes it.
func (s *Store) writeTemp(data []byte) (string, error) {
	path := filepath.Join(s.tmpDir, randomID())
	if err := s.writeNewFile(path, data); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write temporary file: %w", err)
	}
	return path, nil
}

// writeNewFile creates path (which must not exist) holding data, and
// flushes it. The caller makes the directory entry durable.
func (s *Store) writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = s.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeFileAtomic replaces path with data: a crash leaves either the old
// file or the new one, never a mix. It returns after the new file is
// durable.
func (s *Store) writeFileAtomic(path string, data []byte) error {
	tmp, err := s.writeTemp(data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit %s: %w", filepath.Base(path), err)
	}
	return s.syncDir(filepath.Dir(path))
}

// removeTree makes directory path disappear atomically, by renaming it
// into the temporary directory, and then deletes it. A crash after the
// rename leaves garbage that Open deletes. gone reports whether path went
// away: it did even if err reports that this could not be made durable.
func (s *Store) removeTree(path string) (gone bool, err error) {
	trash := filepath.Join(s.tmpDir, randomID())
	if err := os.Rename(path, trash); err != nil {
		return false, fmt.Errorf("remove %s: %w", filepath.Base(path), err)
	}
	err = s.syncDir(filepath.Dir(path))
	os.RemoveAll(trash) // garbage if it fails: Open deletes it
	return true, err
}

// removeIfExists removes path, ignoring a missing file.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
