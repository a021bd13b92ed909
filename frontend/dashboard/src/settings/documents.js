// The settings view's GraphQL operations.
import { gql } from '@urql/core';

const SITE_SETTINGS = gql`
  fragment SiteSettingsFields on Site {
    id
    name
    allowedOrigins
    ssoConfigured
    settings {
      minCommentLength maxCommentLength editWindowSeconds maxDepth
      reactionKinds { kind label icon }
      commentingDisabled closedMessage
      premodAll premodLinks premodNewCommenters holdRejectionRate reportHoldThreshold holdSuspectWords
      autoCloseAfterDays showRevisions
      stages { stage shadow failClosed budgetMs }
    }
  }
`;

export const SETTINGS = gql`
  query Settings($siteID: ID!) {
    site(id: $siteID) {
      ...SiteSettingsFields
      wordLists { kind terms termCount version updatedAt }
    }
    moderationStages
    defaultModerationPipeline { stage shadow failClosed budgetMs }
    stageStats(siteID: $siteID) { stage decided truePositives falsePositives falseNegatives canBeWrong }
  }
  ${SITE_SETTINGS}
`;

export const UPDATE_SETTINGS = gql`
  mutation UpdateSiteSettings($input: SiteSettingsInput!) {
    updateSiteSettings(input: $input) { ...SiteSettingsFields }
  }
  ${SITE_SETTINGS}
`;

export const SET_WORD_LIST = gql`
  mutation SetWordList($input: WordListInput!) {
    setWordList(input: $input) { kind terms termCount version updatedAt }
  }
`;
