import {
  AcknowledgeEncompassDocument,
  ChildAccessLogDocument,
  ChildViewDocument,
  ConfirmHousingMatchDocument,
  EncompassForMySchoolDocument,
  HousingPossibleMatchesDocument,
  MyCaseloadDocument,
  PrivacyOverviewDocument,
  RejectHousingMatchDocument,
  ReviewBreakGlassDocument,
  SearchChildrenDocument,
} from './generated/graphql';

export type * from './generated/graphql';

/**
 * The operations the web app runs: each kept in a `.graphql` file here, typed by GraphQL Code Generator
 * (`npm run codegen` writes `generated/graphql.ts`) and registered in `trusted-documents/child-view-web.json`.
 * Each is sent to the gateway by its hash alone.
 */
export const operations = {
  childView: ChildViewDocument,
  searchChildren: SearchChildrenDocument,
  privacyOverview: PrivacyOverviewDocument,
  reviewBreakGlass: ReviewBreakGlassDocument,
  childAccessLog: ChildAccessLogDocument,
  confirmHousingMatch: ConfirmHousingMatchDocument,
  rejectHousingMatch: RejectHousingMatchDocument,
  housingPossibleMatches: HousingPossibleMatchesDocument,
  myCaseload: MyCaseloadDocument,
  encompassForMySchool: EncompassForMySchoolDocument,
  acknowledgeEncompass: AcknowledgeEncompassDocument,
} as const;

/** The client name the web app sends, which selects its trusted-documents manifest at the gateway. */
export const WEB_CLIENT_NAME = 'child-view-web';
