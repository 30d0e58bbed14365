// Package history reads client histories recorded by monsim or by Jepsen
// and checks them for linearizability with the simulator's own model. It
// decodes every format into checker.KVOps (a Jepsen op's register or
// key-value semantics carried by its checker.Family) and leaves the model
// and the split by key to checker. What it adds lives outside the
// simulated world because it needs goroutines: after the verdict, it checks
// every key at once to name the first that fails.
//
// The format is told from the content:
//
// # monsim JSON (FormatMonsim)
//
// What `simrun run -history F` writes (Encode) and `simrun check` reads
// (Decode): one JSON object with a format tag and the ops, one op per line,
// each a checker.KVOp field for field:
//
//	{"format":"monsim-history/1","ops":[
//	{"client":5,"kind":"put","key":"k1","value":"v","expect":"","status":"ok","found":false,"out":"","unknown":false,"call":123,"return":456},
//	{"client":6,"kind":"get","key":"k1","value":"","expect":"","status":"ok","found":true,"out":"v","unknown":false,"call":130,"return":470}
//	]}
//
// The fields of an op:
//
//   - client: the client, a number.
//   - kind: get, put, cas or delete.
//   - key; value (put, cas: the new value); expect (cas: the value the key
//     must hold; cas on an absent key never matches).
//   - status: ok, or mismatch for a cas that found another value; retry or
//     "" only for an op whose outcome is unknown.
//   - found, out: get only: whether the key existed, and its value.
//   - unknown: the client never learned the outcome; the op may have taken
//     effect at any instant after its call, or never; return is ignored.
//   - call, return: simulated nanoseconds.
//
// Unknown fields are refused.
//
// # Jepsen log (FormatJepsenLog)
//
// jepsen.util's op lines, fields separated by tabs or spaces:
//
//	INFO  jepsen.util - 3	:invoke	:cas	[4 0]
//	INFO  jepsen.util - 3	:fail	:cas	[4 0]
//
// Lines that do not mention jepsen.util (other loggers, stack traces) and
// the nemesis's ops are skipped. There are no keys: the history is one
// register.
//
// # Jepsen EDN (FormatJepsenEDN)
//
// One EDN map per line, as in Jepsen's history.edn:
//
//	{:process 0, :type :invoke, :f :write, :value 3}
//	{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
//
// :process, :type and :f are required; :key is optional (a string, or a
// number as its text; a string and a number with the same text are the
// same key); other entries (:time, :index, :error) are ignored.
//
// # Jepsen operations, in either Jepsen form
//
// Register ops: :read (invoked with nil, completed with nil or the value),
// :write v and :cas [expected new]; values compare as EDN text, so 4 and
// "4" differ and nil is no value at all. Key-value ops, as in porcupine's
// kv test data: :get (completed with the value; an absent key reads as ""),
// :put v and :append v (concatenates strings). One key may not mix the two
// families. Each :ok, :fail or :info completes its process's open
// invocation: :ok took effect between the two lines; :fail did not happen
// and is dropped; :info, or no completion at all, may or may not have
// happened, so the op returns at +infinity and any output is accepted. The
// line numbers are the timestamps: the file's order is the real-time order.
// Histories are split by key (keys sorted) and each key is checked alone.
//
// Malformed input is a *ParseError naming the line; content that is none
// of the three formats is ErrUnknownFormat.
package history
