package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/sftpdrop"
	"github.com/staffsync/staffsync/store"
)

// Integration settings of the server parts, set by flags.
var (
	allowPrivateNetworks   bool
	allowMetadataAddresses bool
	sftpAddr               string
	sftpHostKeyPath        string
)

// devSecretKeyFile is where `staffsync dev` keeps its generated STAFFSYNC_SECRET_KEY.
const devSecretKeyFile = "secret_key"

func registerIntegrationFlags(fs *flag.FlagSet) {
	fs.BoolVar(&allowPrivateNetworks, "allow-private-networks", os.Getenv("STAFFSYNC_ALLOW_PRIVATE_NETWORKS") == "true",
		"let integrations connect to loopback and private addresses (env STAFFSYNC_ALLOW_PRIVATE_NETWORKS=true; self-hosted installs)")
	fs.BoolVar(&allowMetadataAddresses, "allow-metadata-addresses", os.Getenv("STAFFSYNC_ALLOW_METADATA_ADDRESSES") == "true",
		"let integrations connect to cloud metadata addresses such as 169.254.169.254 (env STAFFSYNC_ALLOW_METADATA_ADDRESSES=true; almost never wanted)")
}

func registerSFTPFlags(fs *flag.FlagSet, defaultAddr, defaultKey string) {
	fs.StringVar(&sftpAddr, "sftp-addr", envOr("STAFFSYNC_SFTP_ADDR", defaultAddr), "listen address of the hosted SFTP drop; empty turns it off (env STAFFSYNC_SFTP_ADDR)")
	fs.StringVar(&sftpHostKeyPath, "sftp-host-key", envOr("STAFFSYNC_SFTP_HOST_KEY", defaultKey), "file of the SFTP drop's host key, created on first start (env STAFFSYNC_SFTP_HOST_KEY)")
}

// loadSecretBox reads STAFFSYNC_SECRET_KEY. Without it the server still runs, but
// integrations with credentials are refused with a message saying how to set it.
func loadSecretBox(log *slog.Logger) (*secrets.Box, error) {
	box, err := secrets.FromEnv()
	if errors.Is(err, secrets.ErrNoKey) {
		log.Warn("integrations with credentials are disabled", "reason", err.Error())
		return nil, nil
	}
	return box, err
}

// ensureDevSecretKey gives `staffsync dev` a key of its own, kept in its directory.
func ensureDevSecretKey(dir string) error {
	if os.Getenv(secrets.KeyEnv) != "" {
		return nil
	}
	path := filepath.Join(dir, devSecretKeyFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, gerr := secrets.GenerateKey()
		if gerr != nil {
			return gerr
		}
		if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		raw = []byte(key)
	} else if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return os.Setenv(secrets.KeyEnv, strings.TrimSpace(string(raw)))
}

// configureIntegrations gives the worker's activities the secret key and network policy.
func configureIntegrations(acts *activities.Activities, log *slog.Logger) error {
	box, err := loadSecretBox(log)
	if err != nil {
		return err
	}
	acts.Secrets = box
	acts.Network = sources.Network{AllowPrivate: allowPrivateNetworks, AllowMetadata: allowMetadataAddresses}
	acts.Log = log
	return nil
}

// startSFTPDrop runs the hosted SFTP drop when --sftp-addr is set; wait blocks until it stopped.
func startSFTPDrop(ctx context.Context, log *slog.Logger, st *store.Store, tc client.Client) (wait func(), err error) {
	if sftpAddr == "" {
		return func() {}, nil
	}
	hostKey, err := sftpdrop.LoadOrCreateHostKey(sftpHostKeyPath)
	if err != nil {
		return nil, err
	}
	box, err := loadSecretBox(log)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", sftpAddr)
	if err != nil {
		return nil, fmt.Errorf("SFTP drop: listen on %s: %w", sftpAddr, err)
	}
	srv := &sftpdrop.Server{
		Backend: &sftpdrop.StoreBackend{Store: st, Trigger: func(ctx context.Context, companyID, integrationID int64) error {
			return api.SignalIntegration(ctx, tc, companyID, integrationID, store.KindSFTPDrop, "sync_now", nil)
		}, Secrets: box},
		HostKey: hostKey,
		Log:     log,
	}
	log.Info("SFTP drop listening", "addr", l.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, l); err != nil {
			log.Error("SFTP drop stopped", "error", err)
		}
	}()
	return func() { <-done }, nil
}
