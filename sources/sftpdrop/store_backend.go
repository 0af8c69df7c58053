package sftpdrop

import (
	"context"

	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
)

// StoreBackend keeps drops in PostgreSQL; Trigger starts the import of a new upload (it
// signals the integration's sync, so pause and approval rules apply as for any run).
type StoreBackend struct {
	Store   *store.Store
	Trigger func(ctx context.Context, companyID, integrationID int64) error
	// Secrets opens a drop's optional password; without it only public keys log in.
	Secrets *secrets.Box
}

// Account finds the drop integration of a user name.
func (b *StoreBackend) Account(ctx context.Context, user string) (Account, error) {
	in, err := b.Store.FindDropAccount(ctx, user)
	if err != nil {
		return Account{}, ErrNoAccount
	}
	acc := Account{CompanyID: in.CompanyID, IntegrationID: in.ID, AuthorizedKeys: ParseAuthorizedKeys(in.Settings["authorized_keys"])}
	if b.Secrets != nil && len(in.SealedSecrets) > 0 {
		// A secret that does not open (a rotated key) only means no password login.
		if values, err := b.Secrets.OpenMap(in.SealedSecrets, store.SecretsAAD(in.CompanyID, in.ID)); err == nil {
			acc.Password = values["password"]
		}
	}
	return acc, nil
}

// List lists the drop's files.
func (b *StoreBackend) List(ctx context.Context, acc Account) ([]FileInfo, error) {
	files, err := b.Store.ListDropFiles(ctx, acc.IntegrationID)
	if err != nil {
		return nil, err
	}
	out := make([]FileInfo, len(files))
	for i, f := range files {
		out[i] = FileInfo{Name: f.Name, Size: f.Size, UploadedAt: f.UploadedAt}
	}
	return out, nil
}

// Save stores a complete upload and triggers its import.
func (b *StoreBackend) Save(ctx context.Context, acc Account, name string, content []byte) error {
	if err := b.Store.SaveDropFile(ctx, acc.IntegrationID, name, content); err != nil {
		return err
	}
	if b.Trigger == nil {
		return nil
	}
	// The file is stored: if the signal fails, the next scheduled run imports it, so the
	// upload itself succeeded.
	_ = b.Trigger(context.WithoutCancel(ctx), acc.CompanyID, acc.IntegrationID)
	return nil
}

// Remove deletes a file.
func (b *StoreBackend) Remove(ctx context.Context, acc Account, name string) error {
	return b.Store.RemoveDropFile(ctx, acc.IntegrationID, name)
}

// Usage says what the drop holds, leaving out the file an upload of replacing replaces.
func (b *StoreBackend) Usage(ctx context.Context, acc Account, replacing string) (Usage, error) {
	u, err := b.Store.DropUsage(ctx, acc.IntegrationID, replacing)
	if err != nil {
		return Usage{}, err
	}
	return Usage{Files: u.Files, Waiting: u.Waiting, Bytes: u.Bytes}, nil
}
