package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
)

// getPhoto fetches a photo path from the API with a token ("" sends none).
func getPhoto(t *testing.T, base, path, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// BambooHR photos are served through the API with the integration's key, cached briefly
// and never stored; turning the option off brings the default pictures back.
func TestBambooHRPhotosThroughTheAPI(t *testing.T) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "photos")
	other := s.newTenant(t, "photos-other")
	const apiKey = "e2e-bamboohr-photo-key-4410"
	// The demo people under a domain of their own: emails are unique across companies, and
	// the HR system tests import the demo company too.
	people := bamboofake.DemoPeople()
	for i := range people {
		people[i].WorkEmail = strings.Replace(people[i].WorkEmail, "@acme.example", "@photos.example", 1)
	}
	company := bamboofake.NewServer(bamboofake.Options{APIKey: apiKey, People: people})
	photos := bamboofake.NewPhotoServer(company, apiKey)
	ada := []byte("\xff\xd8\xff\xe0 Ada's photo")
	photos.SetPhoto("101", ada)
	srv := httptest.NewServer(photos)
	defer srv.Close()
	ctx := context.Background()

	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "bamboohr", Name: "BambooHR", ShowPhotos: true,
		Settings: map[string]string{"subdomain": company.Company(), "base_url": srv.URL},
		Secrets:  map[string]string{"api_key": apiKey},
	}))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Msg.Integration.Id
	if !created.Msg.Integration.ShowPhotos {
		t.Fatal("show_photos not stored")
	}
	tn.approve(t, tn.fetchPreview(t, id))
	tn.waitRun(t, id, "", "applied")

	byEmail := map[string]*v1.Person{}
	for _, p := range tn.allPeople(t) {
		byEmail[p.Email] = p
	}
	adaP, grace := byEmail["ada.lovelace@photos.example"], byEmail["grace.hopper@photos.example"]
	if adaP == nil || adaP.PhotoUrl == "" || grace == nil || grace.PhotoUrl == "" {
		t.Fatalf("people from BambooHR have no photo_url: %+v %+v", adaP, grace)
	}
	code, body := getPhoto(t, s.server.URL, adaP.PhotoUrl, tn.apiToken)
	if code != http.StatusOK || !bytes.Equal(body, ada) {
		t.Fatalf("Ada's photo: %d %q", code, body)
	}
	served := photos.PhotoRequests()
	if code, body = getPhoto(t, s.server.URL, adaP.PhotoUrl, tn.apiToken); code != http.StatusOK || !bytes.Equal(body, ada) || photos.PhotoRequests() != served {
		t.Fatalf("second request: %d, BambooHR asked %d times (was %d); want it served from the cache", code, photos.PhotoRequests(), served)
	}
	if code, _ := getPhoto(t, s.server.URL, grace.PhotoUrl, tn.apiToken); code != http.StatusNotFound {
		t.Fatalf("a person without a photo: %d, want 404 (default picture)", code)
	}
	if code, _ := getPhoto(t, s.server.URL, adaP.PhotoUrl+"?size=huge", tn.apiToken); code != http.StatusBadRequest {
		t.Fatalf("unknown size: %d, want 400", code)
	}
	if code, _ := getPhoto(t, s.server.URL, adaP.PhotoUrl, ""); code != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", code)
	}
	if code, _ := getPhoto(t, s.server.URL, adaP.PhotoUrl, other.apiToken); code != http.StatusNotFound {
		t.Fatalf("another company's token: %d, want 404", code)
	}

	off := false
	if _, err := tn.integrations.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{Id: id, ShowPhotos: &off})); err != nil {
		t.Fatal(err)
	}
	if code, _ := getPhoto(t, s.server.URL, adaP.PhotoUrl, tn.apiToken); code != http.StatusNotFound {
		t.Fatalf("photos off: %d, want 404", code)
	}
	for _, p := range tn.allPeople(t) {
		if p.PhotoUrl != "" {
			t.Fatalf("photos off, %s still has photo_url %q", p.Email, p.PhotoUrl)
		}
	}
	// Only BambooHR has photos.
	_, err = tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "https", Name: "file", ShowPhotos: true, Settings: map[string]string{"url": srv.URL + "/x.csv"},
	}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("photos on an HTTPS integration: %v, want InvalidArgument", err)
	}
}
