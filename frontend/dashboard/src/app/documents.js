// The session's GraphQL operations: who is signed in and which sites they may moderate.
import { gql } from '@urql/core';

export const SIGN_IN = gql`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) { token user { id username } }
  }
`;

export const SIGN_OUT = gql`
  mutation SignOut { signOut }
`;

// sites answers every site for admins and the sites a moderator moderates.
export const SESSION = gql`
  query Session {
    viewer { id username admin }
    sites { id name }
  }
`;
