// Package paxos is a subpackage of node, so it is checked too.
package paxos

import "time"

func stamp() int64 { return time.Now().UnixNano() } // want `wall-clock: time.Now`
