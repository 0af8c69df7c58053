package api

import (
	"fmt"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	c "github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// minimumRole is the one table of who may call what. A procedure that is missing is refused
// for everyone (and TestEveryRPCHasARole fails), so a new RPC is never open by accident.
var minimumRole = map[string]store.Role{
	c.AccessServiceWhoAmIProcedure:            store.RoleViewer,
	c.AccessServiceCreateTokenProcedure:       store.RoleOwner,
	c.AccessServiceListTokensProcedure:        store.RoleOwner,
	c.AccessServiceRevokeTokenProcedure:       store.RoleOwner,
	c.AccessServiceListAdminsProcedure:        store.RoleViewer,
	c.AccessServiceSetAdminRoleProcedure:      store.RoleOwner,
	c.AccessServiceListAuditEventsProcedure:   store.RoleAdmin,
	c.AccessServiceCreateAdminProcedure:       store.RoleOwner,
	c.AccessServiceGetSignInSettingsProcedure: store.RoleOwner,
	c.AccessServiceSetSignInSettingsProcedure: store.RoleOwner,

	c.CycleServiceListCyclesProcedure:             store.RoleViewer,
	c.CycleServiceCreateCycleProcedure:            store.RoleAdmin,
	c.CycleServiceAddPeopleProcedure:              store.RoleAdmin,
	c.CycleServiceResetReviewersProcedure:         store.RoleAdmin,
	c.DirectoryServiceListPeopleProcedure:         store.RoleViewer,
	c.DirectoryServiceGetPersonProcedure:          store.RoleViewer,
	c.DirectoryServiceExportDirectoryProcedure:    store.RoleViewer,
	c.DirectoryServiceGetPersonHistoryProcedure:   store.RoleViewer,
	c.DirectoryServiceUpdatePersonProcedure:       store.RoleAdmin,
	c.DirectoryServiceDeactivatePeopleProcedure:   store.RoleAdmin,
	c.DirectoryServiceReactivatePeopleProcedure:   store.RoleAdmin,
	c.DirectoryServiceMergePeopleProcedure:        store.RoleAdmin,
	c.DirectoryServiceDeletePersonProcedure:       store.RoleAdmin,
	c.DirectoryServiceSendPasswordEmailsProcedure: store.RoleAdmin,

	c.ImportServiceGetImportProcedure:             store.RoleViewer,
	c.ImportServiceDiagnoseImportProcedure:        store.RoleViewer,
	c.ImportServiceGetImportDefaultsProcedure:     store.RoleViewer,
	c.ImportServiceUpdateImportDefaultsProcedure:  store.RoleAdmin,
	c.DirectoryServiceAddPersonProcedure:          store.RoleAdmin,
	c.DirectoryServiceSendWelcomeEmailsProcedure:  store.RoleAdmin,
	c.IntegrationServiceSetAutomaticRunsProcedure: store.RoleAdmin,
	c.IntegrationServiceFetchPreviewProcedure:     store.RoleAdmin,
	c.ImportServiceListChangesProcedure:           store.RoleViewer,
	c.ImportServiceListImportsProcedure:           store.RoleViewer,
	c.ImportServiceWatchImportProcedure:           store.RoleViewer,
	c.ImportServiceGetTemplateProcedure:           store.RoleViewer,
	c.ImportServiceStartImportProcedure:           store.RoleAdmin,
	c.ImportServiceApproveImportProcedure:         store.RoleAdmin,
	c.ImportServiceRejectImportProcedure:          store.RoleAdmin,
	c.ImportServiceRevertImportProcedure:          store.RoleAdmin,

	c.IntegrationServiceListIntegrationsProcedure:  store.RoleViewer,
	c.IntegrationServiceGetIntegrationProcedure:    store.RoleViewer,
	c.IntegrationServiceCreateIntegrationProcedure: store.RoleAdmin,
	c.IntegrationServiceUpdateIntegrationProcedure: store.RoleAdmin,
	c.IntegrationServiceTestConnectionProcedure:    store.RoleAdmin,
	c.IntegrationServicePauseIntegrationProcedure:  store.RoleAdmin,
	c.IntegrationServiceResumeIntegrationProcedure: store.RoleAdmin,
	c.IntegrationServiceSyncNowProcedure:           store.RoleAdmin,
	c.IntegrationServiceDeleteIntegrationProcedure: store.RoleAdmin,
}

// requiredRole is the role a call needs: the table's, raised to owner when the request
// weakens the safety guard (any explicit limit, since the default is relative to the
// company's size and an explicit one can be higher, or negative to turn it off) or makes an
// integration apply without approval. Unknown procedures need a role nobody has.
func requiredRole(procedure string, msg any) (store.Role, string) {
	role, ok := minimumRole[procedure]
	if !ok {
		return store.Role("none"), "this call has no role assigned"
	}
	if why := ownerOnlyRequest(msg); why != "" {
		return store.RoleOwner, why
	}
	return role, ""
}

func ownerOnlyRequest(msg any) string {
	var (
		opts      *v1.ImportOptions
		autoApply bool
	)
	switch m := msg.(type) {
	case *v1.StartImportRequest:
		opts = m.GetOptions()
	case *v1.ImportOptions: // the streaming upload's options
		opts = m
	case *v1.UpdateImportDefaultsRequest:
		opts = m.GetOptions()
	case *v1.CreateIntegrationRequest:
		opts, autoApply = m.GetOptions(), m.GetAutoApply()
	case *v1.UpdateIntegrationRequest:
		opts, autoApply = m.GetOptions(), m.GetAutoApply()
	}
	switch {
	case autoApply:
		return "making an integration apply without approval needs the owner role"
	case opts.GetMaxDeactivations() != 0 || opts.GetMaxManagerChanges() != 0:
		return fmt.Sprintf("setting the safety guard's limits (max_deactivations %d, max_manager_changes %d) needs the owner role; leave them 0 for the defaults",
			opts.GetMaxDeactivations(), opts.GetMaxManagerChanges())
	}
	return ""
}
