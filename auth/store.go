package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store remembers revoked token ids until they would have expired anyway.
type Store interface {
	Revoke(ctx context.Context, jti string, ttl time.Duration) error
	IsRevoked(ctx context.Context, jti string) (bool, error)
	Ping(ctx context.Context) error
	Close() error
}

// RedisStore keeps revocations in Redis db 0 as Zou does (key <jti> = "true"),
// so several servers, or Zou itself, share them.
type RedisStore struct{ c *redis.Client }

// NewRedisStore connects to Redis at addr, database 0.
func NewRedisStore(addr, password string) *RedisStore {
	return &RedisStore{c: redis.NewClient(&redis.Options{Addr: addr, Password: password, DB: 0})}
}

// Revoke marks jti revoked for ttl.
func (s *RedisStore) Revoke(ctx context.Context, jti string, ttl time.Duration) error {
	if err := s.c.Set(ctx, jti, "true", ttl).Err(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// IsRevoked reports whether jti was revoked.
func (s *RedisStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	v, err := s.c.Get(ctx, jti).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check token: %w", err)
	}
	return v == "true", nil
}

// Ping checks that Redis answers.
func (s *RedisStore) Ping(ctx context.Context) error { return s.c.Ping(ctx).Err() }

// Close releases the connection pool.
func (s *RedisStore) Close() error { return s.c.Close() }

// MemoryStore keeps revocations in this process (single-server setups).
type MemoryStore struct {
	mu      sync.Mutex
	revoked map[string]time.Time
	now     func() time.Time
}

// NewMemoryStore returns an empty in-process store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{revoked: map[string]time.Time{}, now: time.Now}
}

// Revoke marks jti revoked for ttl; expired entries are swept as new ones arrive.
func (s *MemoryStore) Revoke(_ context.Context, jti string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.revoked) > 1024 {
		for k, exp := range s.revoked {
			if now.After(exp) {
				delete(s.revoked, k)
			}
		}
	}
	s.revoked[jti] = now.Add(ttl)
	return nil
}

// IsRevoked reports whether jti was revoked and has not yet expired.
func (s *MemoryStore) IsRevoked(_ context.Context, jti string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.revoked[jti]
	return ok && s.now().Before(exp), nil
}

// Ping always succeeds: the store is this process.
func (s *MemoryStore) Ping(context.Context) error { return nil }

// Close does nothing.
func (s *MemoryStore) Close() error { return nil }
