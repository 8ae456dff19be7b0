// Package store owns the emulator's data on disk: buckets, objects and
// multipart uploads in one data directory. It knows nothing of HTTP, IAM or
// XML; it stores what the emulator gives it (bucket policies, ACLs, SSE
// settings are opaque to it) and guarantees that what it reports committed
// survives a crash whole, and that nothing else does.
//
// # Layout
//
// A data directory holds:
//
//	FORMAT                          "lockstep-store 1"
//	LOCK                            flock(2)ed while a Store has it open
//	tmp/                            temporary files; emptied by Open
//	buckets/<name>/bucket.json      BucketMeta
//	buckets/<name>/objects/hh/<h>   object record of the key's null version
//	                                (the only one in an unversioned bucket):
//	                                JSON of ObjectMeta and the list of the
//	                                object's data files; or, for a small
//	                                object, that JSON, a newline and the
//	                                object's bytes (inline)
//	buckets/<name>/objects/hh/<h>.<v>  object record of version <v> (a
//	                                version ID) of the key, in the same form;
//	                                a delete marker's names no data
//	buckets/<name>/data/hh/<id>     data file (blob): an object's bytes, or
//	                                one part's
//	buckets/<name>/uploads/<uid>/upload.json         upload record
//	buckets/<name>/uploads/<uid>/part-NNNNN.json     part record
//
// <h> is the hex SHA-256 of the object key, so any key S3 accepts (1024
// bytes of any UTF-8, "../", "//", NUL, a leading "/") maps to a fixed
// 64-character name that never leaves the bucket's directory; the key
// itself is kept in the record. Blob IDs are 128 random bits in hex, upload
// IDs a 64-bit time stamp and 128 random bits. hh, the first two hex
// digits of a name, spreads records and blobs over 256 subdirectories,
// made on first use.
// Bucket names are restricted to ASCII letters, digits, '.', '-' and '_'.
//
// # Versions
//
// BucketMeta.Versioning is the bucket's versioning state, which writes
// follow (see versions.go): in a bucket never versioned each write
// replaces the key's one record, as before versioning existed, so such a
// bucket costs no more file I/O than it did; when versioning is enabled
// each write (and each delete without a version ID, which adds a delete
// marker) creates the record of a new version, <h>.<v>, and leaves the
// others; when it is suspended writes replace the null version's record,
// <h>. A version ID is 16 hex digits of the complement of a time stamp
// that increases with every ID handed out (and across restarts) and 16
// random hex digits, so IDs sort newest first. A null version written
// while versioning was enabled or suspended keeps such a stamp in its
// record (order) to sort among the others; one written before is the
// oldest. PutVersion and DeleteOptions.MarkerVersionID write a version
// under a given ID (a replica keeps its source's), placed by that ID;
// UpdateVersion changes a version's metadata in place, without a new
// version. Every change of a key's versions is one rename of a record or
// one removal, so a version is committed whole or not at all; the index
// holds per key its latest version, which lists the older ones.
//
// An object written by Put or Copy of at most 64 KiB (the first chunk of
// the body is buffered before deciding) is stored inline in its record:
// version 2 of the record format, whose JSON names the data with a random
// ID that UpdateObject keeps and every write changes; Get reads the record
// file and checks that ID, so it gets the bytes of the version it looked
// up. The index keeps no inline bytes in memory. Records of version 1
// (plain JSON, no inline data) are still written for other objects and
// load as before. A larger object written by Put or Copy has one blob
// (none when empty); an
// object made by Complete is the list of its part blobs, in place, so
// completing a multipart upload copies no data, and reads cross the part
// boundaries transparently. Copy between two objects that use the same key
// (or none) gives the copy a hard link to the source's blob, so it reads
// and writes no data either; blobs being immutable, the two names are
// independent.
//
// # Commit protocol and durability
//
// Blobs are immutable. A write streams the body into a new blob (named in
// no record yet, so invisible), fsyncs it and its directory, then writes
// the record to tmp/, fsyncs it, renames it over the old record and
// fsyncs the record's directory. An inline write has no blob: it only
// writes, fsyncs and renames the record (holding the bytes) and fsyncs its
// directory. The rename is the commit point:
//
//   - a crash before it leaves the old record, hence the old object whole;
//     the new blob and the temporary record are garbage;
//   - a crash after it leaves the new record, naming a blob that was
//     durable before the rename; the old blob is garbage.
//
// Open empties tmp/ and deletes every blob that no record of an object or
// a part names (mark and sweep), so the garbage of any interrupted write
// goes. The blobs of a replaced or deleted version are deleted only after
// the fsync of the record's directory, so a crash cannot bring back a
// record naming a deleted blob. The fsyncs of a fan-out subdirectory are
// shared (group commit): a writer waits for an fsync of the directory
// that started after its rename or its blob's creation, and one fsync
// serves every writer waiting. Buckets and uploads are created by building their directory in
// tmp/ and renaming it into place; they are removed by renaming them into
// tmp/. Complete's single commit point is the object's record, which names
// the upload: a crash before it leaves the upload intact; after it, Open
// finds the upload named by an object and removes it. A record that does not
// parse, or names a missing blob, cannot come from a crash, so Open
// reports it instead of dropping data.
//
// Options.NoSync skips the fsyncs: writes stay atomic against a crash of
// the process (the kernel has the data), not against a crash of the
// machine.
//
// # Memory and concurrency
//
// Open reads every record into an in-memory index per bucket: a B-tree of
// keys in S3 order (UTF-8 byte order) holding each object's metadata, so
// that Head and listing read no file and a PUT costs O(log n) however large
// the bucket. Listing seeks: a page costs O(log n) plus its entries, and a
// delimiter skips each common prefix in one seek.
//
// A Store is safe for concurrent use. Writers of one key serialize only
// their commit (the rename and the index update happen under one lock, so
// the last rename wins in memory and on disk alike); streaming happens in
// parallel. A blob set is reference-counted: the index holds one reference
// and every open ObjectReader one, and the blobs are deleted with the last,
// so a reader keeps reading its version after the object is overwritten
// or deleted. Only one process may open a data directory (LOCK).
//
// # Encryption
//
// A Cipher (a 32-byte data key) encrypts a blob with AES-256-CTR under a
// random initial counter kept in the record; ranged reads decrypt from any
// offset. The record also keeps a key check value, so a wrong or missing
// key fails with ErrWrongKey rather than returning garbage. ETags are the
// MD5 of the plaintext. Where keys come from (SSE-S3, KMS, SSE-C) is the
// caller's business; ObjectMeta.SSE only records what the caller says.
//
// # Errors
//
// Every method but Open returns an *Error naming the operation, bucket and
// key; test causes with errors.Is against the Err* sentinels.
package store
