// Package programjob is what the requester commands need to post a job of a
// WebAssembly program (kind wasm): naming the program by id, file or example,
// reading a dataset into per-item inputs, measuring an item's fuel locally,
// and building the canonical spec with the same kinds encoder and the same
// limits the chain applies, so a job the chain would refuse is refused here
// first, before any fee or escrow moves.
package programjob
