import { createContext, useContext } from 'react';
import type { Me } from './me';

export type AuthStatus = 'anonymous' | 'loading' | 'ready' | 'error';

export interface AuthValue {
  status: AuthStatus;
  me: Me | null;
  /** Error from loading /api/me (other than 401, which signs out). */
  error: unknown;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
  reloadMe: () => void;
  can: (permission: string) => boolean;
}

export const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
