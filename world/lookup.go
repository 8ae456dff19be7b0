package world

// Account returns the account with the given ID, or nil.
func (w *World) Account(id string) *Account { return w.accounts[id] }

// Bucket returns the bucket with the given name, or nil.
func (w *World) Bucket(name string) *Bucket { return w.buckets[name] }

// User returns the user with the given ARN, or nil.
func (w *World) User(arn string) *User { return w.users[arn] }

// Role returns the role with the given ARN, or nil.
func (w *World) Role(arn string) *Role { return w.roles[arn] }

// Key returns the key with the given key ARN or alias ARN, or nil.
func (w *World) Key(arn string) *Key { return w.keys[arn] }

// S3Key returns the AWS managed key aws/s3 of an account, nil for an
// account the world does not hold.
func (w *World) S3Key(account string) *Key {
	if a := w.accounts[account]; a != nil {
		return a.S3Key
	}
	return nil
}

// Credential returns the access key with the given ID, or nil.
func (w *World) Credential(accessKeyID string) *Credential { return w.accessKeys[accessKeyID] }

// CredentialsOf returns the first access key of a user, nil when it has
// none.
func (w *World) CredentialsOf(u *User) *Credential {
	var first *Credential
	for _, c := range w.accessKeys {
		if c.User == u && (first == nil || c.AccessKeyID < first.AccessKeyID) {
			first = c
		}
	}
	return first
}
