package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// Key IDs of the engine test's worlds, one per key of a setup.
const (
	engineSrcKey      = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"
	engineDstKey      = "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"
	engineSameDstKey  = "arn:aws:kms:us-east-1:111111111111:key/33333333-3333-4333-8333-333333333333"
	engineObjectKey   = "docs/a.txt"
	engineSessionName = "s3-replication"
)

// worldOfPlan is a world holding the plan's documents: the role with its
// trust and permissions policies, the buckets with their keys, the
// destination's bucket policy, and each key's default policy plus the
// planned statements.
func worldOfPlan(t *testing.T, p *ReplicationPlan) *world.World {
	t.Helper()
	js := func(d *Document) string {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	type acct struct{ buckets, keys []string }
	accounts := map[string]*acct{}
	of := func(id string) *acct {
		if accounts[id] == nil {
			accounts[id] = &acct{}
		}
		return accounts[id]
	}
	for _, side := range []ReplicationBucket{p.Setup.Source, p.Setup.Destination} {
		b := "      - name: " + side.Name + "\n"
		if side.KMSKey != "" {
			b += fmt.Sprintf("        encryption: {kms_key: %q, bucket_key: %v}\n", side.KMSKey, side.BucketKey)
		}
		if side == p.Setup.Destination && p.DestinationBucketPolicy != nil {
			b += "        policy: " + js(p.DestinationBucketPolicy) + "\n"
		}
		a := of(side.Account)
		a.buckets = append(a.buckets, b)
		if side.KMSKey == "" {
			continue
		}
		keyAccount := strings.Split(side.KMSKey, ":")[4]
		policy := &Document{Version: "2012-10-17", Statement: []Statement{{Sid: "Owner", Effect: "Allow", Principal: map[string]string{"AWS": "arn:aws:iam::" + keyAccount + ":root"}, Action: []string{"kms:*"}, Resource: []string{"*"}}}}
		if extra := p.Keys[side.KMSKey]; extra != nil {
			policy.Statement = append(policy.Statement, extra.Statement...)
		}
		id := side.KMSKey[strings.LastIndex(side.KMSKey, "/")+1:]
		k := of(keyAccount)
		k.keys = append(k.keys, "      - id: "+id+"\n        policy: "+js(policy)+"\n")
	}
	var y strings.Builder
	y.WriteString("region: us-east-1\naccounts:\n")
	for _, id := range sortedMapKeys(accounts) {
		a := accounts[id]
		fmt.Fprintf(&y, "  - id: %q\n", id)
		if id == p.Setup.Source.Account {
			fmt.Fprintf(&y, "    roles:\n      - name: %s\n        trust: %s\n        policies:\n          replication: %s\n", p.Setup.RoleName, js(p.Trust), js(p.Permissions))
		}
		if len(a.buckets) > 0 {
			y.WriteString("    buckets:\n" + strings.Join(a.buckets, ""))
		}
		if len(a.keys) > 0 {
			y.WriteString("    keys:\n" + strings.Join(a.keys, ""))
		}
	}
	m, err := world.Decode([]byte(y.String()), "plan.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, y.String())
	}
	w, err := world.Compile(m, "plan.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, y.String())
	}
	return w
}

// deniedSteps authorizes every step of the plan for one object as the
// role's session, with the engine (enforce.AuthorizeReplication), and
// returns the denied ones.
func deniedSteps(t *testing.T, p *ReplicationPlan, w *world.World) []string {
	t.Helper()
	role := w.Role(p.Role)
	if role == nil {
		t.Fatalf("role %s is not in the world", p.Role)
	}
	session := w.SessionPrincipal(role, engineSessionName)
	var denied []string
	for _, st := range p.Steps {
		side := p.Setup.side(st.Side)
		c, err := enforce.AuthorizeReplication(w, session, enforce.ReplicationCall{Step: st, Bucket: side.Name, Key: engineObjectKey, KMSKey: side.KMSKey, BucketKey: side.BucketKey})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Decision.Allowed() {
			denied = append(denied, st.Side.String()+" "+st.Action)
		}
	}
	return denied
}

// withoutAction returns a copy of d without action in statement i (the
// statement dropped when it had no other).
func withoutAction(d *Document, i int, action string) *Document {
	out := &Document{Version: d.Version}
	for j, st := range d.Statement {
		if j == i {
			var kept []string
			for _, a := range st.Action {
				if a != action {
					kept = append(kept, a)
				}
			}
			if len(kept) == 0 {
				continue
			}
			st.Action = kept
		}
		out.Statement = append(out.Statement, st)
	}
	return out
}

// TestReplicationPlanWithTheEngine: the planned policies allow every step
// S3 makes as the role, decided by the same engine as every request; and
// each action of each planned statement is necessary: without it, a step
// is denied.
func TestReplicationPlanWithTheEngine(t *testing.T) {
	src := ReplicationBucket{Name: "src", Account: "111111111111", Region: "us-east-1"}
	dstSame := ReplicationBucket{Name: "dst", Account: "111111111111", Region: "us-east-1"}
	dstCross := ReplicationBucket{Name: "dst", Account: "222222222222", Region: "us-east-1"}
	key := func(b ReplicationBucket, k string, bucketKey bool) ReplicationBucket {
		b.KMSKey, b.BucketKey = k, bucketKey
		return b
	}
	setups := map[string]ReplicationSetup{
		"same account":                           {Source: src, Destination: dstSame},
		"same account, CMKs, bucket key on dst":  {Source: key(src, engineSrcKey, false), Destination: key(dstSame, engineSameDstKey, true), DeleteMarkers: true},
		"cross account":                          {Source: src, Destination: dstCross, Tags: true},
		"cross account, CMKs, override, markers": {Source: key(src, engineSrcKey, true), Destination: key(dstCross, engineDstKey, false), OwnerOverride: true, DeleteMarkers: true, Tags: true},
	}
	for name, s := range setups {
		t.Run(name, func(t *testing.T) {
			s.RoleName = "r"
			p, err := PlanReplication(s)
			if err != nil {
				t.Fatal(err)
			}
			if denied := deniedSteps(t, p, worldOfPlan(t, p)); len(denied) > 0 {
				t.Fatalf("the planned policies deny %v", denied)
			}
			docs := map[string]**Document{"permissions policy": &p.Permissions}
			if p.DestinationBucketPolicy != nil {
				docs["destination bucket policy"] = &p.DestinationBucketPolicy
			}
			for _, k := range sortedMapKeys(p.Keys) {
				d := p.Keys[k]
				docs["key policy of "+k] = &d
				defer func(k string) { p.Keys[k] = d }(k)
			}
			for _, which := range sortedMapKeys(docs) {
				ptr := docs[which]
				orig := *ptr
				for i, st := range orig.Statement {
					for _, action := range st.Action {
						*ptr = withoutAction(orig, i, action)
						for k := range p.Keys {
							if which == "key policy of "+k {
								p.Keys[k] = *ptr
							}
						}
						if denied := deniedSteps(t, p, worldOfPlan(t, p)); len(denied) == 0 {
							t.Errorf("%s statement %s without %s: no step is denied; the action is not necessary", which, st.Sid, action)
						}
					}
				}
				*ptr = orig
				for k := range p.Keys {
					if which == "key policy of "+k {
						p.Keys[k] = orig
					}
				}
			}
		})
	}
}
