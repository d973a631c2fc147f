package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/automaldesc/automaldesc/store"
)

// Pool tuning. A connection idle for longer than pingAfter is pinged before
// it is handed out (the server may have closed it: restart, idle timeout,
// a proxy); connections older than maxConnAge are replaced so that server
// side memory (plan caches) and load balancing do not stick forever.
const (
	pingAfter     = 5 * time.Second
	maxConnAge    = time.Hour
	closeConnWait = 5 * time.Second
)

// pool is a bounded pool of pgx connections.
//
// It stands in for pgxpool, which needs github.com/jackc/puddle/v2, a module
// this repository does not require; the contract is the small part of
// pgxpool the store uses: at most max connections, dialled lazily, reused
// LIFO, pinged after idling, discarded when broken (a query interrupted by
// its context closes the connection) or left inside a transaction, and a
// close that waits for every borrowed connection to come back.
type pool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per borrowed connection
	done  chan struct{} // closed by close: acquire fails fast

	mu     sync.Mutex
	idle   []pooled // LIFO
	closed bool
}

type pooled struct {
	c        *pgx.Conn
	born     time.Time
	returned time.Time
}

func newPool(cfg *pgx.ConnConfig, max int) *pool {
	return &pool{cfg: cfg, slots: make(chan struct{}, max), done: make(chan struct{})}
}

// acquire borrows a connection; release must give it back.
func (p *pool) acquire(ctx context.Context) (pooled, error) {
	if err := ctx.Err(); err != nil {
		return pooled{}, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-p.done:
		return pooled{}, store.ErrClosed
	case <-ctx.Done():
		return pooled{}, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slots
			return pooled{}, store.ErrClosed
		}
		var pc pooled
		ok := len(p.idle) > 0
		if ok {
			pc = p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
		}
		p.mu.Unlock()
		if !ok {
			break
		}
		if time.Since(pc.born) > maxConnAge {
			closeConn(pc.c)
			continue
		}
		if time.Since(pc.returned) > pingAfter {
			if err := pc.c.Ping(ctx); err != nil {
				closeConn(pc.c)
				if ctx.Err() != nil {
					<-p.slots
					return pooled{}, ctx.Err()
				}
				continue
			}
		}
		return pc, nil
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return pooled{}, err
	}
	return pooled{c: c, born: time.Now()}, nil
}

// release returns a borrowed connection. A connection that is closed, or
// not idle (an aborted or unfinished transaction), is discarded.
func (p *pool) release(pc pooled) {
	defer func() { <-p.slots }()
	if pc.c.IsClosed() || pc.c.PgConn().TxStatus() != 'I' {
		closeConn(pc.c)
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		closeConn(pc.c)
		return
	}
	pc.returned = time.Now()
	p.idle = append(p.idle, pc)
	p.mu.Unlock()
}

// close waits until every borrowed connection is back, then closes all
// connections. Later acquires fail with store.ErrClosed.
func (p *pool) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	for range cap(p.slots) {
		p.slots <- struct{}{} // blocks while a connection is borrowed
	}
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	var errs []error
	for _, pc := range idle {
		ctx, cancel := context.WithTimeout(context.Background(), closeConnWait)
		errs = append(errs, pc.c.Close(ctx))
		cancel()
	}
	return errors.Join(errs...)
}

// closeConn closes a connection that is not reused; errors only mean the
// connection was already gone.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeConnWait)
	defer cancel()
	_ = c.Close(ctx)
}
