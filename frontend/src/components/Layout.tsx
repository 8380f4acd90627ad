import { useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import flagImg from '@uswds/uswds/img/us_flag_small.png';
import dotGovIcon from '@uswds/uswds/img/icon-dot-gov.svg';
import httpsIcon from '@uswds/uswds/img/icon-https.svg';
import { roleOf, useAuth, type Role } from '../auth/AuthContext';
import { useFlash } from './Flash';

/** The USWDS "official website" banner, built here so its images are files (CSP forbids data: URLs). */
export function GovBanner() {
  const [open, setOpen] = useState(false);
  return (
    <section className="usa-banner" aria-label="Official website of the United States government">
      <div className="usa-accordion">
        <header className="usa-banner__header">
          <div className="usa-banner__inner">
            <div className="grid-col-auto">
              <img aria-hidden="true" className="usa-banner__header-flag" src={flagImg} alt="" />
            </div>
            <div className="grid-col-fill tablet:grid-col-auto" aria-hidden="true">
              <p className="usa-banner__header-text">An official website of the United States government</p>
              <p className="usa-banner__header-action">Here’s how you know</p>
            </div>
            <button
              type="button"
              className="usa-accordion__button usa-banner__button"
              aria-expanded={open}
              aria-controls="gov-banner"
              onClick={() => setOpen((o) => !o)}
            >
              <span className="usa-banner__button-text">Here’s how you know</span>
            </button>
          </div>
        </header>
        <div className="usa-banner__content usa-accordion__content" id="gov-banner" hidden={!open}>
          <div className="grid-row grid-gap-lg">
            <div className="usa-banner__guidance tablet:grid-col-6">
              <img className="usa-banner__icon usa-media-block__img" src={dotGovIcon} alt="" aria-hidden="true" />
              <div className="usa-media-block__body">
                <p>
                  <strong>Official websites use .gov</strong>
                  <br />A <strong>.gov</strong> website belongs to an official government organization in the United
                  States.
                </p>
              </div>
            </div>
            <div className="usa-banner__guidance tablet:grid-col-6">
              <img className="usa-banner__icon usa-media-block__img" src={httpsIcon} alt="" aria-hidden="true" />
              <div className="usa-media-block__body">
                <p>
                  <strong>Secure .gov websites use HTTPS</strong>
                  <br />A <strong>lock</strong> or <strong>https://</strong> means you’ve safely connected to the .gov
                  website. Share sensitive information only on official, secure websites.
                </p>
              </div>
            </div>
          </div>
        </div>
      </div>
    </section>
  );
}

interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

export function navFor(role: Role): NavItem[] {
  const home: NavItem = { to: '/', label: 'Dashboard', end: true };
  if (role.isDeveloper)
    return [
      home,
      { to: '/models', label: 'Models' },
      { to: '/designation-requests', label: 'Designation' },
      { to: '/access-grants', label: 'Government access' },
      { to: '/nominations', label: 'Partners' },
      { to: '/partner-grants', label: 'Partner grants' },
      { to: '/terms', label: 'Terms' },
      { to: '/activity', label: 'Activity' },
    ];
  if (role.isAgency)
    return [
      home,
      { to: '/designation-requests', label: 'Review queue' },
      { to: '/access-grants', label: 'Access grants' },
      { to: '/nominations', label: 'Partners' },
      { to: '/partner-grants', label: 'Partner grants' },
      { to: '/terms', label: 'Terms' },
    ];
  if (role.isPartner) return [home, { to: '/partner-grants', label: 'Early access' }];
  return [
    home,
    { to: '/admin/organizations', label: 'Organizations' },
    { to: '/admin/users', label: 'Users' },
    { to: '/terms', label: 'Terms templates' },
    { to: '/admin/audit', label: 'Audit' },
  ];
}

const KIND_LABEL: Record<string, string> = {
  developer: 'Developer',
  agency: 'Agency',
  partner: 'Partner',
  operator: 'Operator',
};

function AccountBox({ variant }: { variant: 'desktop' | 'mobile' }) {
  const { me, signOut } = useAuth();
  const navigate = useNavigate();
  if (!me) return null;
  const doSignOut = async () => {
    await signOut();
    navigate('/sign-in', { replace: true });
  };
  return (
    <div className={`fap-account fap-account--${variant}`}>
      <p className="fap-account__who">
        <span className="fap-account__name">{me.user.name}</span>
        <span className="fap-account__org">
          {me.organization.name} · {KIND_LABEL[me.organization.kind] ?? me.organization.kind}
          {me.user.org_role === 'admin' ? ' admin' : ''}
        </span>
      </p>
      <ul className="fap-account__links">
        <li>
          <NavLink to="/organization" className="usa-link">
            My organization
          </NavLink>
        </li>
        <li>
          <NavLink to="/api-tokens" className="usa-link">
            API tokens
          </NavLink>
        </li>
        <li>
          <NavLink to="/security" className="usa-link">
            Sign-in security
          </NavLink>
        </li>
        <li>
          <NavLink to="/sessions" className="usa-link">
            Sessions
          </NavLink>
        </li>
        <li>
          <NavLink to="/notifications" className="usa-link">
            Email notifications
          </NavLink>
        </li>
        <li>
          <button type="button" className="usa-button usa-button--unstyled" onClick={() => void doSignOut()}>
            Sign out
          </button>
        </li>
      </ul>
    </div>
  );
}

function SiteHeader() {
  const { me } = useAuth();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    document.querySelector<HTMLButtonElement>('#site-nav .usa-nav__close')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        document.querySelector<HTMLButtonElement>('.usa-menu-btn')?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const role = me ? roleOf(me) : null;
  const items = role ? navFor(role) : [];

  return (
    <>
      <div className={`usa-overlay${open ? ' is-visible' : ''}`} onClick={() => setOpen(false)} />
      <header className="usa-header usa-header--basic fap-header">
        <div className="usa-nav-container">
          <div className="usa-navbar">
            <div className="usa-logo">
              <em className="usa-logo__text">
                <Link to="/" title="Frontier Access Portal home">
                  Frontier Access Portal
                </Link>
              </em>
            </div>
            {me && (
              <button type="button" className="usa-menu-btn" onClick={() => setOpen(true)} aria-expanded={open} aria-controls="site-nav">
                Menu
              </button>
            )}
          </div>
          {me && <AccountBox variant="desktop" />}
          {me && role && (
            <nav aria-label="Primary navigation" className={`usa-nav${open ? ' is-visible' : ''}`} id="site-nav">
              <button type="button" className="usa-nav__close" onClick={() => setOpen(false)}>
                <span className="fap-close-x" aria-hidden="true">
                  ×
                </span>
                <span className="usa-sr-only">Close menu</span>
              </button>
              <ul className="usa-nav__primary usa-accordion">
                {items.map((it) => (
                  <li className="usa-nav__primary-item" key={it.to}>
                    <NavLink to={it.to} end={it.end} className={({ isActive }) => `usa-nav-link${isActive ? ' usa-current' : ''}`}>
                      <span>{it.label}</span>
                    </NavLink>
                  </li>
                ))}
              </ul>
              <AccountBox variant="mobile" />
            </nav>
          )}
        </div>
      </header>
    </>
  );
}

function SiteFooter() {
  const host = typeof window !== 'undefined' ? window.location.host : '';
  return (
    <footer className="usa-identifier" aria-label="Site footer">
      <section className="usa-identifier__section usa-identifier__section--masthead" aria-label="Agency identifier">
        <div className="usa-identifier__container">
          <section className="usa-identifier__identity" aria-label="Agency description">
            <p className="usa-identifier__identity-domain">{host}</p>
            <p className="usa-identifier__identity-disclaimer">
              The Frontier Access Portal supports the voluntary engagement between AI developers and the U.S. Government
              described in Sec. 3 of the executive order “Promoting Advanced Artificial Intelligence Innovation and
              Security”.
            </p>
          </section>
        </div>
      </section>
      <nav className="usa-identifier__section usa-identifier__section--required-links" aria-label="Important links">
        <div className="usa-identifier__container">
          <ul className="usa-identifier__required-links-list">
            <li className="usa-identifier__required-links-item">
              <Link to="/about" className="usa-identifier__required-link usa-link">
                About this portal
              </Link>
            </li>
            <li className="usa-identifier__required-links-item">
              <Link to="/about#accessibility" className="usa-identifier__required-link usa-link">
                Accessibility statement
              </Link>
            </li>
            <li className="usa-identifier__required-links-item">
              <Link to="/about#privacy" className="usa-identifier__required-link usa-link">
                Privacy and system use
              </Link>
            </li>
          </ul>
        </div>
      </nav>
      <section className="usa-identifier__section usa-identifier__section--usagov" aria-label="U.S. government information and services">
        <div className="usa-identifier__container">
          <div className="usa-identifier__usagov-description">Looking for U.S. government information and services?</div>{' '}
          <a href="https://www.usa.gov/" className="usa-link">
            Visit USA.gov
          </a>
        </div>
      </section>
    </footer>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { flash } = useFlash();
  return (
    <div className="fap-app">
      <a className="usa-skipnav" href="#main-content">
        Skip to main content
      </a>
      <GovBanner />
      <SiteHeader />
      <main id="main-content" className="fap-main" tabIndex={-1}>
        <div className="grid-container">
          {flash && (
            <div className="usa-alert usa-alert--success usa-alert--slim margin-y-2" role="status">
              <div className="usa-alert__body">
                <p className="usa-alert__text">{flash}</p>
              </div>
            </div>
          )}
          {children}
        </div>
      </main>
      <SiteFooter />
    </div>
  );
}
