package config

import (
	"sync"
	"time"
)

// SafeConfig holds the config in force and swaps it only for a valid one.
type SafeConfig struct {
	mu          sync.RWMutex
	c           *Config
	file        string
	lastOK      bool
	lastSuccess time.Time
}

// NewSafeConfig returns a holder for configs read from file.
func NewSafeConfig(file string) *SafeConfig {
	return &SafeConfig{file: file}
}

// Get returns the config in force; callers must not change it.
func (s *SafeConfig) Get() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.c
}

// File returns the path configs are read from.
func (s *SafeConfig) File() string { return s.file }

// Reload reads the file again and hands the new config to apply (which
// starts what it describes; nil applies nothing). Only when both succeed is
// the new config put in force; otherwise the old one stays and the error is
// returned. Either way the reload state records the outcome.
func (s *SafeConfig) Reload(apply func(*Config) error) (*Config, error) {
	c, err := Load(s.file)
	if err == nil && apply != nil {
		err = apply(c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.lastOK = false
		return nil, err
	}
	s.c = c
	s.lastOK = true
	s.lastSuccess = time.Now()
	return c, nil
}

// LastReload reports whether the last reload succeeded and when one last did.
func (s *SafeConfig) LastReload() (ok bool, lastSuccess time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastOK, s.lastSuccess
}
