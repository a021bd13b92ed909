package auth_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/ratelimit"
)

func TestHashGate(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams, MaxConcurrentHashes: 1, MaxHashWait: 10 * time.Millisecond})
	in := newSignUp()
	MustSignUp(t, svc, in)
	signIn := parley.SignInInput{Login: in.Username, Password: in.Password}

	t.Run("a sign-in that finds every slot taken is rate limited", func(t *testing.T) {
		release := auth.HoldHashSlot(svc)
		defer release()
		_, err := svc.SignIn(context.Background(), signIn)
		var perr *parley.Error
		if !errors.As(err, &perr) || perr.Code != parley.ERATELIMITED || perr.RetryAfter <= 0 {
			t.Fatalf("err = %v, want ERATELIMITED with a retry time", err)
		}
	})
	t.Run("a sign-up that finds every slot taken is rate limited", func(t *testing.T) {
		release := auth.HoldHashSlot(svc)
		defer release()
		_, err := svc.SignUp(context.Background(), newSignUp())
		wantError(t, err, parley.ERATELIMITED, "")
	})
	t.Run("a canceled request stops waiting and is not rate limited", func(t *testing.T) {
		release := auth.HoldHashSlot(svc)
		defer release()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := svc.SignIn(ctx, signIn); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("a free slot signs in", func(t *testing.T) {
		if _, err := svc.SignIn(context.Background(), signIn); err != nil {
			t.Fatal(err)
		}
	})
}

// heapCeiling is what the README promises for a flood of sign-ins: with n hashing slots, the
// memory the Go runtime holds stays under (3n + 2) × the argon2 memory (64 MiB with
// DefaultParams): n hashes running, up to twice as many finished ones the collector has not
// reclaimed yet (its goal is twice the live heap, and allocation goes on while it marks), and
// two more for the rest of the process. Without the bound, 200 attempts would hold up to
// 200 × 64 MiB.
func heapCeiling(slots int, p auth.Params) uint64 {
	return uint64(3*slots+2) * uint64(p.Memory) * 1024
}

// TestConcurrentSignInsStayUnderTheMemoryCeiling sends 200 sign-in attempts at once from 200
// client networks, with production argon2 parameters (64 MiB a hash): per-address limits do
// not stop them, so only the bound on concurrent hashes keeps memory from reaching 200 × 64
// MiB. Every attempt must be answered (wrong password, or RATE_LIMITED when it waited too
// long for a slot), and the memory the Go runtime held at its peak must stay under
// heapCeiling.
func TestConcurrentSignInsStayUnderTheMemoryCeiling(t *testing.T) {
	const attempts, slots = 200, 2
	db := postgrestest.MustOpenDB(t)
	params := auth.DefaultParams()
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: params, MaxConcurrentHashes: slots,
		SignInLimiter: ratelimit.NewMemory(time.Minute, 5)})

	runtime.GC()
	debug.FreeOSMemory()
	before := heldMemory()
	peak := atomic.Uint64{}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if m := heldMemory(); m > peak.Load() {
				peak.Store(m)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	var wg sync.WaitGroup
	var refused, limited atomic.Int64
	errs := make(chan error, attempts)
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := parley.NewContextWithClient(context.Background(), parley.Client{IP: fmt.Sprintf("198.51.%d.%d", i/250, i%250+1)})
			_, err := svc.SignIn(ctx, parley.SignInInput{Login: fmt.Sprintf("nobody%d", i), Password: "a guess of some length"})
			switch parley.ErrorCode(err) {
			case parley.EUNAUTHENTICATED:
				refused.Add(1)
			case parley.ERATELIMITED:
				limited.Add(1)
			default:
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Errorf("an attempt answered %v", err)
	}
	ceiling := heapCeiling(slots, params)
	t.Logf("%d attempts: %d checked, %d refused as busy; memory held %d MiB before, %d MiB at the peak; ceiling %d MiB",
		attempts, refused.Load(), limited.Load(), before>>20, peak.Load()>>20, ceiling>>20)
	if refused.Load() == 0 {
		t.Error("no attempt was checked")
	}
	if peak.Load() > ceiling {
		t.Errorf("memory peaked at %d MiB, over the ceiling of %d MiB", peak.Load()>>20, ceiling>>20)
	}
}

// heldMemory is the memory the Go runtime holds from the operating system: everything it
// mapped, less the heap pages it gave back.
func heldMemory() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}
