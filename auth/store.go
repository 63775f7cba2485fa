package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store is Zou's "auth tokens store": short-lived keys such as revoked token
// ids (key <jti> = "true" until the token would have expired anyway) and
// password-reset tokens (key reset-token-<email>).
type Store interface {
	Revoke(ctx context.Context, jti string, ttl time.Duration) error
	IsRevoked(ctx context.Context, jti string) (bool, error)
	// Set stores value under key for ttl; Get answers "" for a missing or expired key.
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, error)
	Delete(ctx context.Context, key string) error
	Ping(ctx context.Context) error
	Close() error
}

// revokedValue is what Zou writes for a revoked jti and compares against.
const revokedValue = "true"

// RedisStore keeps the keys in Redis db 0 as Zou does, so several servers,
// or Zou itself during a migration, share them.
type RedisStore struct{ c *redis.Client }

// NewRedisStore connects to Redis at addr, database 0. Few retries: every
// authenticated request reads this store, and go-redis's defaults (3 command
// retries, 5 dial retries, with back-off) made each request and the /status
// probe wait almost two seconds when Redis is down, before failing all the same.
func NewRedisStore(addr, password string) *RedisStore {
	return &RedisStore{c: redis.NewClient(&redis.Options{Addr: addr, Password: password, DB: 0, MaxRetries: 1, DialerRetries: 1})}
}

// Revoke marks jti revoked for ttl.
func (s *RedisStore) Revoke(ctx context.Context, jti string, ttl time.Duration) error {
	if err := s.c.Set(ctx, jti, revokedValue, ttl).Err(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// IsRevoked reports whether jti was revoked.
func (s *RedisStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	v, err := s.Get(ctx, jti)
	if err != nil {
		return false, fmt.Errorf("check token: %w", err)
	}
	return v == revokedValue, nil
}

// Set stores value under key for ttl.
func (s *RedisStore) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := s.c.Set(ctx, key, value, ttl).Err(); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Get returns the value under key, "" when there is none.
func (s *RedisStore) Get(ctx context.Context, key string) (string, error) {
	v, err := s.c.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

// Delete removes key.
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	if err := s.c.Del(ctx, key).Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that Redis answers.
func (s *RedisStore) Ping(ctx context.Context) error { return s.c.Ping(ctx).Err() }

// Close releases the connection pool.
func (s *RedisStore) Close() error { return s.c.Close() }

// MemoryStore keeps the keys in this process (single-server setups).
type MemoryStore struct {
	mu   sync.Mutex
	keys map[string]memoryEntry
	now  func() time.Time
}

type memoryEntry struct {
	value string
	exp   time.Time
}

// NewMemoryStore returns an empty in-process store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{keys: map[string]memoryEntry{}, now: time.Now}
}

// Revoke marks jti revoked for ttl.
func (s *MemoryStore) Revoke(ctx context.Context, jti string, ttl time.Duration) error {
	return s.Set(ctx, jti, revokedValue, ttl)
}

// IsRevoked reports whether jti was revoked and has not yet expired.
func (s *MemoryStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	v, err := s.Get(ctx, jti)
	return v == revokedValue, err
}

// Set stores value under key for ttl (0: no expiry); expired entries are swept as new ones arrive.
func (s *MemoryStore) Set(_ context.Context, key, value string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.keys) > 1024 {
		for k, e := range s.keys {
			if !e.exp.IsZero() && now.After(e.exp) {
				delete(s.keys, k)
			}
		}
	}
	e := memoryEntry{value: value}
	if ttl > 0 { // as in Redis, no TTL means no expiry
		e.exp = now.Add(ttl)
	}
	s.keys[key] = e
	return nil
}

// Get returns the value under key, "" when there is none or it expired.
func (s *MemoryStore) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.keys[key]
	if !ok || (!e.exp.IsZero() && !s.now().Before(e.exp)) {
		return "", nil
	}
	return e.value, nil
}

// Delete removes key.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.keys, key)
	s.mu.Unlock()
	return nil
}

// Ping always succeeds: the store is this process.
func (s *MemoryStore) Ping(context.Context) error { return nil }

// Close does nothing.
func (s *MemoryStore) Close() error { return nil }
