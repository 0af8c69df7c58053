// Package secrets encrypts integration credentials at rest with AES-256-GCM under the
// server key STAFFSYNC_SECRET_KEY (base64 of 32 random bytes). Plaintext secrets exist
// only in the API request that sets them and in the activity that uses them.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeyEnv is the environment variable holding the key.
const KeyEnv = "STAFFSYNC_SECRET_KEY"

// keyLen is the AES-256 key length.
const keyLen = 32

// version prefixes every sealed value so the format can change later.
const version byte = 1

// ErrNoKey means the server has no key configured.
var ErrNoKey = errors.New("STAFFSYNC_SECRET_KEY is not set: integrations need it to encrypt their credentials; generate one with `head -c 32 /dev/urandom | base64` and set it for both 'staffsync serve' and 'staffsync worker'")

// Box seals and opens secrets. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a base64-encoded 32-byte key.
func New(encodedKey string) (*Box, error) {
	encodedKey = strings.TrimSpace(encodedKey)
	if encodedKey == "" {
		return nil, ErrNoKey
	}
	key, err := base64.StdEncoding.DecodeString(encodedKey)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid base64: %w", KeyEnv, err)
	}
	if len(key) != keyLen {
		return nil, fmt.Errorf("%s must be base64 of exactly %d bytes, it has %d bytes; generate one with `head -c 32 /dev/urandom | base64`", KeyEnv, keyLen, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create GCM: %w", err)
	}
	return &Box{aead: aead}, nil
}

// FromEnv returns a Box for the key in STAFFSYNC_SECRET_KEY, or ErrNoKey.
func FromEnv() (*Box, error) { return New(os.Getenv(KeyEnv)) }

// GenerateKey returns a new random key, base64-encoded.
func GenerateKey() (string, error) {
	key := make([]byte, keyLen)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate secret key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}

// Seal encrypts plaintext; aad binds the ciphertext to its owner (e.g. the integration id)
// so a sealed value copied to another row does not open.
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("generate nonce: %w", err)
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts a value made by Seal with the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, errors.New("decrypt secrets: the stored value is not in a known format")
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, errors.New("decrypt secrets: wrong STAFFSYNC_SECRET_KEY or damaged value; set the key the secrets were saved with, or set the secrets again")
	}
	return plain, nil
}

// SealMap encrypts named secrets, each on its own (bound to its name too), into one stored
// value; Merge can then replace one secret without decrypting the others.
func (b *Box) SealMap(values map[string]string, aad []byte) ([]byte, error) {
	sealed := make(map[string][]byte, len(values))
	for name, value := range values {
		v, err := b.Seal([]byte(value), entryAAD(aad, name))
		if err != nil {
			return nil, err
		}
		sealed[name] = v
	}
	return json.Marshal(sealed)
}

func entryAAD(aad []byte, name string) []byte {
	return append(append(append([]byte{}, aad...), '/'), name...)
}

// OpenMap decrypts a value made by SealMap. An empty value holds no secrets.
func (b *Box) OpenMap(stored, aad []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(stored) == 0 {
		return out, nil
	}
	var sealed map[string][]byte
	if err := json.Unmarshal(stored, &sealed); err != nil {
		return nil, fmt.Errorf("decode stored secrets: %w", err)
	}
	for name, v := range sealed {
		plain, err := b.Open(v, entryAAD(aad, name))
		if err != nil {
			return nil, fmt.Errorf("secret %q: %w", name, err)
		}
		out[name] = string(plain)
	}
	return out, nil
}

// Merge combines stored secrets with newly sealed ones (both made by SealMap with the same
// aad); names in remove are dropped. Nothing is decrypted.
func Merge(stored, update []byte, remove []string) ([]byte, error) {
	merged := map[string][]byte{}
	for _, raw := range [][]byte{stored, update} {
		if len(raw) == 0 {
			continue
		}
		var m map[string][]byte
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("decode stored secrets: %w", err)
		}
		for k, v := range m {
			merged[k] = v
		}
	}
	for _, name := range remove {
		delete(merged, name)
	}
	return json.Marshal(merged)
}

// Hint is what an admin may see of a secret: "set" plus its last 4 characters, but only
// when the secret is long enough (12+) that those 4 do not give much of it away.
func Hint(value string) string {
	r := []rune(value)
	if len(r) < 12 {
		return "set"
	}
	return "set, ends in " + string(r[len(r)-4:])
}
