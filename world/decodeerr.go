package world

import "github.com/lockstep-dev/lockstep/internal/yamlerr"

// Kinds names the world file's parts in its own words, for decode errors
// (no Go type name reaches the user). Scenario files, which hold a world,
// extend it.
func Kinds() *yamlerr.Kinds {
	return new(yamlerr.Kinds).
		Add("the world", Model{}).
		Add("the organization", OrganizationModel{}).
		Add("an organizational unit", UnitModel{}).
		Add("an account", AccountModel{}).
		Add("a user", UserModel{}).
		Add("an access key", AccessKeyModel{}).
		Add("a role", RoleModel{}).
		Add("a bucket", BucketModel{}).
		Add("a bucket's encryption", EncryptionModel{}).
		Add("a KMS key", KeyModel{})
}
