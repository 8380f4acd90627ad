import { ActivityPage } from './pages/Activity';
import { useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { setEnrollmentHandler, setUnauthorizedHandler } from './api/client';
import { StepUpDialog } from './components/StepUp';
import { IdleWarning } from './components/IdleWarning';
import { SecurityPage } from './pages/Security';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { FlashProvider } from './components/Flash';
import { Layout } from './components/Layout';
import { Loading, PageTitle, ProblemAlert } from './components/ui';
import { AcceptInvitePage, ResetPasswordPage, SignInPage, SignUpPage, VerifyEmailPage } from './pages/Auth';
import { Dashboard } from './pages/Dashboard';
import { ModelDetail, ModelEdit, ModelNew, ModelsList } from './pages/Models';
import { RequestDetail, RequestEdit, RequestNew, RequestsList } from './pages/Designations';
import { TermsDetail, TermsList, TermsNew } from './pages/Terms';
import { GrantDetail, GrantNew, GrantsList } from './pages/Grants';
import { NominationDetail, NominationNew, NominationsList } from './pages/Nominations';
import { PartnerGrantDetail, PartnerGrantNew, PartnerGrantsList } from './pages/PartnerGrants';
import { ApiTokensPage, OrganizationPage } from './pages/Account';
import { SessionsPage } from './pages/Sessions';
import { NotificationsPage } from './pages/Notifications';
import { AdminAudit, AdminOrganizations, AdminUsers } from './pages/Admin';
import { AboutPage } from './pages/About';
import { RequireCapability } from './components/RequireCapability';

/** Sends any 401 from the API to sign-in, remembering where the user was. */
function UnauthorizedRedirect() {
  const navigate = useNavigate();
  const { refresh, expire } = useAuth();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      const here = window.location.pathname + window.location.search;
      if (window.location.pathname.startsWith('/sign-in')) return;
      // Forget the user (drafts stay, lib/drafts.ts). Whichever renders first, this move or
      // RequireAuth seeing no user, sign-in gets the "session ended" notice and the way back.
      navigate(`/sign-in?expired=1&next=${encodeURIComponent(here)}`, { replace: true });
      expire();
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate, expire]);
  useEffect(() => {
    // The organization's policy changed while signed in: go to enrolment.
    setEnrollmentHandler(() => {
      void refresh().then(() => navigate('/security', { replace: true }));
    });
    return () => setEnrollmentHandler(null);
  }, [navigate, refresh]);
  return null;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, held, loading, error, expired } = useAuth();
  const location = useLocation();
  if (loading) return <Loading label="Checking your session…" />;
  if (error)
    return (
      <>
        <PageTitle>The portal is unavailable</PageTitle>
        <ProblemAlert error={error} />
      </>
    );
  if (!me) return <Navigate to={`/sign-in?${expired ? 'expired=1&' : ''}next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  // Held until a second factor is set up (DESIGN §7): the enrolment page only.
  if (held && location.pathname !== '/security') return <Navigate to="/security" replace />;
  return <>{children}</>;
}

function NotFound() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>This page does not exist, or you do not have access to it.</p>
      <a className="usa-link" href="/">
        Go to your dashboard
      </a>
    </>
  );
}

const p = (el: ReactNode) => <RequireAuth>{el}</RequireAuth>;

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/sign-up" element={<SignUpPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/invite/:token" element={<AcceptInvitePage />} />
      <Route path="/about" element={<AboutPage />} />

      <Route path="/" element={p(<Dashboard />)} />
      <Route path="/models" element={p(<ModelsList />)} />
      <Route path="/models/new" element={p(<RequireCapability any={['register_model']} what="Registering a model" who="members of AI developer organizations"><ModelNew /></RequireCapability>)} />
      <Route path="/models/:id" element={p(<ModelDetail />)} />
      <Route path="/models/:id/edit" element={p(<RequireCapability any={['edit_model']} what="Editing a model" who="members of AI developer organizations"><ModelEdit /></RequireCapability>)} />
      <Route path="/designation-requests" element={p(<RequestsList />)} />
      <Route path="/designation-requests/new" element={p(<RequireCapability any={['file_designation']} what="Filing a designation request" who="members of AI developer organizations"><RequestNew /></RequireCapability>)} />
      <Route path="/designation-requests/:id" element={p(<RequestDetail />)} />
      <Route path="/designation-requests/:id/edit" element={p(<RequireCapability any={['file_designation']} what="Editing a draft request" who="members of AI developer organizations"><RequestEdit /></RequireCapability>)} />
      <Route path="/terms" element={p(<TermsList />)} />
      <Route path="/terms/new" element={p(<RequireCapability any={['publish_terms']} what="Publishing terms" who="administrators of AI developer organizations (and, for templates, the portal’s operators)"><TermsNew /></RequireCapability>)} />
      <Route path="/terms/:id" element={p(<TermsDetail />)} />
      <Route path="/access-grants" element={p(<GrantsList />)} />
      <Route path="/access-grants/new" element={p(<RequireCapability any={['offer_grant']} what="Offering the Government access to a model" who="administrators of AI developer organizations"><GrantNew /></RequireCapability>)} />
      <Route path="/access-grants/:id" element={p(<GrantDetail />)} />
      <Route path="/nominations" element={p(<NominationsList />)} />
      <Route path="/nominations/new" element={p(<RequireCapability any={['nominate_partner_as_developer', 'nominate_partner_as_government']} what="Nominating a trusted partner" who="members of AI developer organizations and of Government agencies"><NominationNew /></RequireCapability>)} />
      <Route path="/nominations/:id" element={p(<NominationDetail />)} />
      <Route path="/partner-grants" element={p(<PartnerGrantsList />)} />
      <Route path="/partner-grants/new" element={p(<RequireCapability any={['issue_partner_grant']} what="Issuing an early-access grant" who="administrators of AI developer organizations"><PartnerGrantNew /></RequireCapability>)} />
      <Route path="/partner-grants/:id" element={p(<PartnerGrantDetail />)} />
      <Route path="/organization" element={p(<OrganizationPage />)} />
      <Route path="/api-tokens" element={p(<ApiTokensPage />)} />
      <Route path="/security" element={p(<SecurityPage />)} />
      <Route path="/sessions" element={p(<SessionsPage />)} />
      <Route path="/notifications" element={p(<NotificationsPage />)} />
      <Route path="/admin/organizations" element={p(<AdminOrganizations />)} />
      <Route path="/admin/users" element={p(<AdminUsers />)} />
      <Route path="/admin/audit" element={p(<AdminAudit />)} />
      <Route path="/activity" element={p(<ActivityPage />)} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <FlashProvider>
          <UnauthorizedRedirect />
          <StepUpDialog />
          <IdleWarning />
          <Layout>
            <AppRoutes />
          </Layout>
        </FlashProvider>
      </AuthProvider>
    </BrowserRouter>
  );
}
